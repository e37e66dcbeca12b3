export { DynamoKvModule } from './dynamo-kv.module.js';
export type {
  DynamoKvModuleAsyncOptions,
  DynamoKvModuleExtras,
  DynamoKvModuleForRootOptions,
  DynamoKvOptionsFactory,
} from './dynamo-kv.module-definition.js';
export {
  DEFAULT_HEALTH_CHECK_SETTINGS,
  DEFAULT_REQUEST_HANDLER_OPTIONS,
  type DynamoKvModuleOptions,
  type HealthCheckSettings,
} from './dynamo-kv.options.js';
export { OPERATION_DURATION_METRIC_TOKEN } from './dynamo-kv.providers.js';
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
  TableNotActiveError,
  TableNotFoundError,
  type KvStoreErrorContext,
} from './kv-store.errors.js';
export type { KvHealth, KvHealthCheckOptions, KvHealthDetails, KvOperation, KVStore } from './kv-store.interface.js';
export { DynamoKvHealthIndicator, type DynamoKvHealthOptions } from './health/dynamo-kv.health.js';
export { OPERATION_DURATION_BUCKETS, OPERATION_DURATION_METRIC } from './metrics/operation-duration.metric.js';
export { InMemoryKvStore } from './testing/in-memory-kv.store.js';
