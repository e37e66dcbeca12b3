import type { KvOperation } from './kv-store.interface.js';

export interface KvStoreErrorContext {
  operation?: KvOperation;
  table?: string;
  cause?: unknown;
}

/** Base class of every error the store raises; SDK failures arrive as this class with the SDK error as `cause`. */
export class KvStoreError extends Error {
  override readonly name: string = 'KvStoreError';
  readonly code: string = 'KV_STORE_ERROR';
  readonly operation?: KvOperation;
  readonly table?: string;

  constructor(message: string, context: KvStoreErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.operation = context.operation;
    this.table = context.table;
  }
}

/** `get` found no item for the key, or the item has no string value attribute. */
export class KeyNotFoundError extends KvStoreError {
  override readonly name = 'KeyNotFoundError';
  override readonly code = 'KEY_NOT_FOUND';

  constructor(
    /** The key that was looked up; kept off the message so that logging the error does not leak it. */
    readonly key: string,
    table: string,
  ) {
    super(`No value is stored under the given key in table '${table}'.`, { operation: 'get', table });
  }
}

/** The key is not a string, is empty, is over 2048 UTF-8 bytes, or has a lone surrogate. */
export class InvalidKeyError extends KvStoreError {
  override readonly name = 'InvalidKeyError';
  override readonly code = 'INVALID_KEY';

  constructor(reason: string, context: KvStoreErrorContext = {}) {
    super(`Invalid key: ${reason}`, context);
  }
}

/** The value is not a string, or has a lone surrogate that has no UTF-8 form. */
export class InvalidValueError extends KvStoreError {
  override readonly name = 'InvalidValueError';
  override readonly code = 'INVALID_VALUE';

  constructor(reason: string, context: KvStoreErrorContext = {}) {
    super(`Invalid value: ${reason}`, context);
  }
}

/** The item (attribute names plus key and value, in UTF-8 bytes) is over DynamoDB's 400 KB limit. */
export class ItemTooLargeError extends KvStoreError {
  override readonly name = 'ItemTooLargeError';
  override readonly code = 'ITEM_TOO_LARGE';

  constructor(
    readonly itemBytes: number,
    readonly maxItemBytes: number,
    context: KvStoreErrorContext = {},
  ) {
    super(
      `The item would be ${itemBytes} bytes (attribute names plus key and value, UTF-8); ` +
        `DynamoDB stores at most ${maxItemBytes}. Store a shorter value.`,
      context,
    );
  }
}

/** DynamoDB answered that the table does not exist (ResourceNotFoundException). */
export class TableNotFoundError extends KvStoreError {
  override readonly name = 'TableNotFoundError';
  override readonly code = 'TABLE_NOT_FOUND';

  constructor(table: string, region: string, context: KvStoreErrorContext = {}) {
    super(
      `Table '${table}' was not found in region '${region}'. Create it with a string partition key, ` +
        `or point the store at the right table, region or endpoint.`,
      { ...context, table },
    );
  }
}

/** DescribeTable answered, but the table is not ACTIVE (CREATING, UPDATING, DELETING, ...). */
export class TableNotActiveError extends KvStoreError {
  override readonly name = 'TableNotActiveError';
  override readonly code = 'TABLE_NOT_ACTIVE';

  constructor(
    table: string,
    readonly tableStatus: string,
  ) {
    super(`Table '${table}' is ${tableStatus}, not ACTIVE.`, { operation: 'health_check', table });
  }
}

/** Module options are missing or wrong; raised at bootstrap, naming the option. */
export class InvalidOptionsError extends KvStoreError {
  override readonly name = 'InvalidOptionsError';
  override readonly code = 'INVALID_OPTIONS';

  constructor(
    readonly option: string,
    reason: string,
    cause?: unknown,
  ) {
    super(`DynamoKvModule option '${option}' ${reason}`, { cause });
  }
}

/** The caller's `signal` aborted the operation; its reason is the `cause`. */
export class OperationAbortedError extends KvStoreError {
  override readonly name = 'OperationAbortedError';
  override readonly code = 'ABORTED';

  constructor(reason: unknown, context: KvStoreErrorContext = {}) {
    super(`The ${context.operation ?? 'operation'} was aborted by its signal.`, { ...context, cause: reason });
  }
}
