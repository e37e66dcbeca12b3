import { KvStoreError, type KvStoreErrorContext } from '../contract/kv-store.errors.js';

/** An option of `DynamoKvThrottlerStorage` is wrong; raised by its constructor, naming the option. */
export class InvalidThrottlerStorageOptionsError extends KvStoreError {
  override readonly name = 'InvalidThrottlerStorageOptionsError';
  override readonly code = 'INVALID_THROTTLER_STORAGE_OPTIONS';

  constructor(
    readonly option: string,
    reason: string,
  ) {
    super(`DynamoKvThrottlerStorage option '${option}' ${reason}`);
  }
}

/** `increment` was called with an argument it cannot honour; raised before anything is sent. */
export class InvalidThrottleArgumentError extends KvStoreError {
  override readonly name = 'InvalidThrottleArgumentError';
  override readonly code = 'INVALID_THROTTLE_ARGUMENT';

  constructor(
    readonly argument: string,
    reason: string,
  ) {
    super(`DynamoKvThrottlerStorage.increment: '${argument}' ${reason}`);
  }
}

/** What is stored under a throttler key is not a throttler record: someone else wrote there. */
export class InvalidThrottleRecordError extends KvStoreError {
  override readonly name = 'InvalidThrottleRecordError';
  override readonly code = 'INVALID_THROTTLE_RECORD';

  constructor(context: KvStoreErrorContext = {}) {
    super(
      'The value stored under a throttler key is not a throttler record: nothing was changed. Give the throttler a key prefix of its own.',
      context,
    );
  }
}

/**
 * A key's record would outgrow the storage's bound (`MAX_THROTTLE_RECORD_BYTES`): only several throttlers
 * with large limits that share one key (a `generateKey` that leaves out the throttler's name) get there.
 * Raised before anything is written; the hit is not counted.
 */
export class ThrottleRecordTooLargeError extends KvStoreError {
  override readonly name = 'ThrottleRecordTooLargeError';
  override readonly code = 'THROTTLE_RECORD_TOO_LARGE';

  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(
      `A throttler record would take ${bytes} bytes, over the bound of ${maxBytes}: nothing was written. ` +
        "Give each throttler a key of its own (the guard's default generateKey does), or lower the limits.",
    );
  }
}
