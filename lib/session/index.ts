export { DynamoKvSessionStore, type SessionDoneCallback } from './dynamo-kv-session.store.js';
export type { SessionCallback } from './session-callback.js';
export {
  DEFAULT_SESSION_KEY_PREFIX,
  DEFAULT_SESSION_TTL_SECONDS,
  type DynamoKvSessionStoreOptions,
} from './session-store.options.js';
export { InvalidSessionDataError, InvalidSessionStoreOptionsError, SessionTooLargeError } from './session-store.errors.js';
