export { DynamoKvModule } from './dynamo-kv.module.js';
export type {
  DynamoKvModuleAsyncOptions,
  DynamoKvModuleExtras,
  DynamoKvModuleForRootOptions,
  DynamoKvOptionsFactory,
} from './dynamo-kv.module-definition.js';
export { DEFAULT_REQUEST_HANDLER_OPTIONS, type DynamoKvModuleOptions } from './dynamo-kv.options.js';
export { DynamoKvStore, type DynamoKvStoreConfig } from './dynamo-kv.store.js';
export { DEFAULT_STORE_NAME, getKvStoreToken, InjectKvStore, KV_STORE } from './dynamo-kv.tokens.js';
export { MAX_ITEM_BYTES, MAX_KEY_BYTES } from './kv-input.validation.js';
export {
  InvalidKeyError,
  InvalidOptionsError,
  InvalidValueError,
  ItemTooLargeError,
  KeyNotFoundError,
  KvStoreError,
  TableNotFoundError,
  type KvStoreErrorContext,
} from './kv-store.errors.js';
export type { KvHealth, KvHealthCheckOptions, KvHealthDetails, KvOperation, KVStore } from './kv-store.interface.js';
export { InMemoryKvStore } from './testing/in-memory-kv.store.js';
