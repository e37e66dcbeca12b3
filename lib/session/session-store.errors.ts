import { ItemTooLargeError, KvStoreError, type KvStoreErrorContext } from '../contract/kv-store.errors.js';

/** An option of `DynamoKvSessionStore` is wrong; raised by its constructor, naming the option. */
export class InvalidSessionStoreOptionsError extends KvStoreError {
  override readonly name = 'InvalidSessionStoreOptionsError';
  override readonly code = 'INVALID_SESSION_STORE_OPTIONS';

  constructor(
    readonly option: string,
    reason: string,
    cause?: unknown,
  ) {
    super(`DynamoKvSessionStore option '${option}' ${reason}`, { cause });
  }
}

/**
 * The session's JSON does not fit in one DynamoDB item: nothing was written. An {@link ItemTooLargeError}
 * (its `code`, `itemBytes` and `maxItemBytes`, answered 413 by `KvHttpExceptionFilter`) with a message
 * about sessions; the store's own error is the `cause`.
 */
export class SessionTooLargeError extends ItemTooLargeError {
  constructor(cause: ItemTooLargeError) {
    super(cause.itemBytes, cause.maxItemBytes, { operation: cause.operation, table: cause.table, cause });
    this.message =
      `The session is too large to store: as an item it would be ${cause.itemBytes} bytes, and DynamoDB stores at most ` +
      `${cause.maxItemBytes}. Nothing was written. Keep ids in the session and the data they point to elsewhere.`;
  }
}

/**
 * What is stored under a session's key is not a session (a JSON object with a cookie object): someone else
 * wrote there. Neither the key (the session id is a credential) nor the value is on the error.
 */
export class InvalidSessionDataError extends KvStoreError {
  override readonly name = 'InvalidSessionDataError';
  override readonly code = 'INVALID_SESSION_DATA';

  constructor(context: KvStoreErrorContext = {}) {
    super(
      'The value stored for this session id is not a session (a JSON object with a cookie). Give sessions a key prefix of their own.',
      context,
    );
  }
}
