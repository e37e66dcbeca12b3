export { DynamoKvThrottlerStorage } from './dynamo-kv-throttler.storage.js';
export {
  DEFAULT_THROTTLER_KEY_PREFIX,
  DEFAULT_THROTTLER_TIMEOUT_MS,
  type DynamoKvThrottlerStorageOptions,
  type ThrottlerFailMode,
} from './throttler-storage.options.js';
export { MAX_THROTTLE_LIMIT, MAX_THROTTLER_NAME_LENGTH } from './throttle-arguments.js';
export { MAX_THROTTLE_RECORD_BYTES } from './throttle-record.js';
export {
  InvalidThrottleArgumentError,
  InvalidThrottleRecordError,
  InvalidThrottlerStorageOptionsError,
  ThrottleRecordTooLargeError,
} from './throttler-storage.errors.js';
