import { Inject } from '@nestjs/common';

export const DEFAULT_STORE_NAME = 'default';

/** Injection token of the default store: `@Inject(KV_STORE) store: KVStore`. */
export const KV_STORE = 'nestjs-dynamodb-kv:store:default';

/** Injection token of a named store (`forRoot({ name })`); the default name gives {@link KV_STORE}. */
export function getKvStoreToken(name: string = DEFAULT_STORE_NAME): string {
  return name === DEFAULT_STORE_NAME ? KV_STORE : `nestjs-dynamodb-kv:store:${name}`;
}

/** Injects the store registered under `name` (the default store when omitted). */
export function InjectKvStore(name?: string): ParameterDecorator & PropertyDecorator {
  return Inject(getKvStoreToken(name));
}
