export { DynamoKvModule } from './module/dynamo-kv.module.js';
export type { DataPlane } from './options/dynamo-kv.options.js';
export type {
  DynamoKvModuleAsyncOptions,
  DynamoKvModuleExtras,
  DynamoKvModuleForRootOptions,
  DynamoKvOptionsFactory,
} from './module/dynamo-kv.module-definition.js';
export {
  DEFAULT_BATCH_RETRY_SETTINGS,
  DEFAULT_HEALTH_CHECK_SETTINGS,
  DEFAULT_HEALTH_TIMEOUT_MS,
  DEFAULT_MAX_PENDING_CALLS,
  DEFAULT_REQUEST_HANDLER_OPTIONS,
  DEFAULT_STARTUP_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TTL_ATTRIBUTE_NAME,
  type BatchRetrySettings,
  type DynamoKvModuleOptions,
  type HealthCheckSettings,
  type StartupCheck,
} from './options/dynamo-kv.options.js';
export { DynamoKvStore } from './store/dynamo-kv.store.js';
export { DEFAULT_STORE_NAME, getKvStoreToken, InjectKvStore, KV_STORE } from './contract/kv-store.tokens.js';
export { MAX_ITEM_BYTES, MAX_KEY_BYTES } from './input/kv-input.validation.js';
export { MAX_TTL_SECONDS } from './input/ttl.validation.js';
export {
  BatchIncompleteError,
  InvalidJsonError,
  InvalidTtlError,
  InvalidKeyError,
  InvalidOptionsError,
  InvalidValueError,
  ItemTooLargeError,
  KeyNotFoundError,
  KvCredentialsError,
  KvOutcomeUnknownError,
  KvOverloadedError,
  KvStoreClosedError,
  KvStoreError,
  KvThrottledError,
  KvUnavailableError,
  NotACounterError,
  NotALeaseError,
  OperationAbortedError,
  StartupCheckError,
  TableNotActiveError,
  TableNotFoundError,
  type BatchWriteOutcome,
  type KvStoreErrorContext,
} from './contract/kv-store.errors.js';
export type {
  KvCallOptions,
  KvHealth,
  KvHealthCheckOptions,
  KvHealthDetails,
  KvIncrementOptions,
  KvOperation,
  KvListOptions,
  KvReadOptions,
  KVStore,
  KvWriteOptions,
  TimeToLiveState,
} from './contract/kv-store.interface.js';
export type { KvLease, KvLeaseOptions } from './contract/kv-lease.interface.js';
export { acquireLease, type LeaseStoreContext } from './coordination/leases/acquire-lease.js';
export { DynamoKvHealthIndicator, type DynamoKvHealthOptions } from './health/dynamo-kv.health.js';
export {
  OPERATION_DURATION_BUCKETS,
  OPERATION_DURATION_METRIC,
  OPERATION_DURATION_METRIC_TOKEN,
} from './observability/operation-duration.metric.js';
export { CONSUMED_CAPACITY_METRIC, CONSUMED_CAPACITY_METRIC_TOKEN } from './observability/consumed-capacity.metric.js';
export { BATCH_RETRIES_METRIC, BATCH_RETRIES_METRIC_TOKEN } from './observability/batch-retries.metric.js';
export { KvHttpExceptionFilter, type KvErrorBody, type KvErrorPayload } from './http/kv-http-exception.filter.js';
export { Idempotent } from './idempotency/idempotent.decorator.js';
export { KvIdempotencyInterceptor, IDEMPOTENT_REPLAYED_HEADER } from './idempotency/kv-idempotency.interceptor.js';
export { KvIdempotencyException, type KvIdempotencyErrorCode } from './idempotency/kv-idempotency.exception.js';
export { InvalidIdempotencyOptionsError, UnsupportedIdempotentRouteError } from './idempotency/idempotency.errors.js';
export {
  DEFAULT_IDEMPOTENCY_SETTINGS,
  type IdempotencySettings,
  type IdempotentRouteOptions,
  type KvIdempotencyOptions,
} from './idempotency/kv-idempotency.options.js';
export { MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency/idempotency-key.header.js';
export { KvExclusive } from './coordination/exclusive/kv-exclusive.decorator.js';
export { currentKvLease } from './coordination/exclusive/exclusive-lease.context.js';
export { KvExclusiveOptionsError, NotInExclusiveRunError } from './coordination/exclusive/kv-exclusive.errors.js';
export { DEFAULT_HOLD_AT_LEAST_SECONDS, type KvExclusiveOptions } from './coordination/exclusive/kv-exclusive.options.js';
