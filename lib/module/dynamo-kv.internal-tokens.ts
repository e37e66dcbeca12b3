/** Module-internal tokens: each forRoot gets its own module scope, so these never collide across stores. */
export const DYNAMO_KV_OPTIONS = Symbol('DYNAMO_KV_OPTIONS');
export const DYNAMO_KV_SETTINGS = Symbol('DYNAMO_KV_SETTINGS');
export const DYNAMO_KV_STORE = Symbol('DYNAMO_KV_STORE');
export const DYNAMO_KV_METRICS = Symbol('DYNAMO_KV_METRICS');
