import type { KvOperation } from './kv-store.interface.js';

export interface KvStoreErrorContext {
  operation?: KvOperation;
  table?: string;
  /** In a batch call, the position of the entry the error is about (0-based). */
  entry?: number;
  cause?: unknown;
}

/** Base class of every error the store raises; SDK failures arrive as this class with the SDK error as `cause`. */
export class KvStoreError extends Error {
  override readonly name: string = 'KvStoreError';
  readonly code: string = 'KV_STORE_ERROR';
  readonly operation?: KvOperation;
  readonly table?: string;
  readonly entry?: number;

  constructor(message: string, context: KvStoreErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.operation = context.operation;
    this.table = context.table;
    this.entry = context.entry;
  }
}

/** Names the entry of a batch call in a message about bad input. */
function inEntry(context: KvStoreErrorContext): string {
  return context.entry === undefined ? '' : ` (entry ${context.entry} of the ${context.operation ?? 'batch'} call)`;
}

/** A read found no value for the key: no item, an expired item, or no string value attribute. */
export class KeyNotFoundError extends KvStoreError {
  override readonly name = 'KeyNotFoundError';
  override readonly code = 'KEY_NOT_FOUND';

  constructor(
    /** The key that was looked up; kept off the message so that logging the error does not leak it. */
    readonly key: string,
    table: string,
    /** True when an item was there but its expiry had passed (DynamoDB deletes expired items late). */
    readonly expired = false,
    operation: KvOperation = 'get',
  ) {
    super(`No value is stored under the given key in table '${table}'${expired ? ' (it expired)' : ''}.`, { operation, table });
  }
}

/** The key is not a string, is empty, is over 2048 UTF-8 bytes (with the key prefix), or has a lone surrogate. */
export class InvalidKeyError extends KvStoreError {
  override readonly name = 'InvalidKeyError';
  override readonly code = 'INVALID_KEY';

  constructor(reason: string, context: KvStoreErrorContext = {}) {
    super(`Invalid key${inEntry(context)}: ${reason}`, context);
  }
}

/** The value is not a string, has a lone surrogate that has no UTF-8 form, or has no exact JSON form. */
export class InvalidValueError extends KvStoreError {
  override readonly name = 'InvalidValueError';
  override readonly code = 'INVALID_VALUE';

  constructor(reason: string, context: KvStoreErrorContext = {}) {
    super(`Invalid value${inEntry(context)}: ${reason}`, context);
  }
}

/** `ttlSeconds` (or `ttl.defaultSeconds`) is not a whole number of seconds from 1 to 10 years. */
export class InvalidTtlError extends KvStoreError {
  override readonly name = 'InvalidTtlError';
  override readonly code = 'INVALID_TTL';

  constructor(reason: string, context: KvStoreErrorContext = {}) {
    super(`Invalid ttlSeconds${inEntry(context)}: ${reason}`, context);
  }
}

/** The item (attribute names plus key, value and expiry, in UTF-8 bytes) is over DynamoDB's 400 KB limit. */
export class ItemTooLargeError extends KvStoreError {
  override readonly name = 'ItemTooLargeError';
  override readonly code = 'ITEM_TOO_LARGE';

  constructor(
    readonly itemBytes: number,
    readonly maxItemBytes: number,
    context: KvStoreErrorContext = {},
  ) {
    super(
      `The item${inEntry(context)} would be ${itemBytes} bytes (attribute names plus key, value and expiry, UTF-8); ` +
        `DynamoDB stores at most ${maxItemBytes}. Store a shorter value.`,
      context,
    );
  }
}

/** `getJson` read a value that is not JSON. */
export class InvalidJsonError extends KvStoreError {
  override readonly name = 'InvalidJsonError';
  override readonly code = 'INVALID_JSON';

  constructor(
    /** The key whose value did not parse; kept off the message. */
    readonly key: string,
    table: string,
    cause: unknown,
  ) {
    super(`The value stored under the given key in table '${table}' is not JSON.`, { operation: 'get_json', table, cause });
  }
}

/** Where each key of a batch write stands after the call failed. */
export interface BatchWriteOutcome {
  /** DynamoDB acknowledged these. */
  writtenKeys: string[];
  /** DynamoDB never applied these (unprocessed, refused, or never sent): nothing changed for them. */
  unprocessedKeys: string[];
  /** These may or may not have been applied: read them back to know. */
  unknownKeys: string[];
}

/**
 * A batch call could not finish. `getMany`: DynamoDB kept returning some keys as unprocessed until the
 * retry bound, and `unprocessedKeys` lists them. `setMany`/`deleteMany`: the call stopped at its first
 * failure (the `cause`) and sent nothing after it; every key is in exactly one of `writtenKeys`,
 * `unprocessedKeys` (nothing changed) and `unknownKeys` (may have been applied). Keys stay off the message.
 */
export class BatchIncompleteError extends KvStoreError implements BatchWriteOutcome {
  override readonly name = 'BatchIncompleteError';
  override readonly code = 'BATCH_INCOMPLETE';
  readonly unprocessedKeys: string[];
  readonly writtenKeys: string[];
  readonly unknownKeys: string[];

  constructor(keys: string[] | BatchWriteOutcome, reason: string, context: KvStoreErrorContext = {}) {
    const outcome = Array.isArray(keys) ? { writtenKeys: [], unprocessedKeys: keys, unknownKeys: [] } : keys;
    const counts = Array.isArray(keys)
      ? `left ${outcome.unprocessedKeys.length} key(s) unprocessed`
      : `stopped with ${outcome.writtenKeys.length} key(s) written, ${outcome.unprocessedKeys.length} not written and ` +
        `${outcome.unknownKeys.length} with an unknown outcome`;
    super(`The ${context.operation ?? 'batch'} call on table '${context.table ?? '?'}' ${counts}: ${reason}.`, context);
    this.unprocessedKeys = outcome.unprocessedKeys;
    this.writtenKeys = outcome.writtenKeys;
    this.unknownKeys = outcome.unknownKeys;
  }
}

/**
 * DynamoDB could not be reached, did not answer within the call's time budget, or answered with a server
 * error, and nothing was changed: a read, or a write DynamoDB is known not to have applied. Safe to retry.
 */
export class KvUnavailableError extends KvStoreError {
  override readonly name = 'KvUnavailableError';
  override readonly code = 'UNAVAILABLE';
}

/** DynamoDB throttled the request, and kept doing so through the SDK's retries; nothing was changed. */
export class KvThrottledError extends KvStoreError {
  override readonly name = 'KvThrottledError';
  override readonly code = 'THROTTLED';
}

/**
 * A write failed in a way DynamoDB may still have applied (a reset connection, a timeout after the request
 * left, a server error): the stored value may be the old one or the new one. Read it back to know.
 */
export class KvOutcomeUnknownError extends KvStoreError {
  override readonly name = 'KvOutcomeUnknownError';
  override readonly code = 'OUTCOME_UNKNOWN';
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

/**
 * Module options are missing or wrong, or the table does not match them (raised at bootstrap), or an
 * option of one call is (raised before anything is sent, with `call`): the message names the option.
 */
export class InvalidOptionsError extends KvStoreError {
  override readonly name = 'InvalidOptionsError';
  override readonly code = 'INVALID_OPTIONS';

  constructor(
    readonly option: string,
    reason: string,
    cause?: unknown,
    call?: { operation: KvOperation; table: string },
  ) {
    super(
      call === undefined ? `DynamoKvModule option '${option}' ${reason}` : `The ${call.operation} option '${option}' on table '${call.table}' ${reason}`,
      { cause, ...call },
    );
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

/**
 * The store has as many calls pending as its `maxPendingCalls` allows (DynamoDB is slow or out of reach and
 * calls pile up): this one was refused at once, before anything was sent. Nothing changed; retry later.
 */
export class KvOverloadedError extends KvStoreError {
  override readonly name = 'KvOverloadedError';
  override readonly code = 'OVERLOADED';
}

/** The store was closed (the application is shutting down): the call was refused before anything was sent. */
export class KvStoreClosedError extends KvStoreError {
  override readonly name = 'KvStoreClosedError';
  override readonly code = 'STORE_CLOSED';
}

/**
 * The AWS SDK found no credentials to sign with (its default chain came up empty): a configuration error,
 * not a passing one. Nothing was sent. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an
 * IAM role, or pass the `credentials` option.
 */
export class KvCredentialsError extends KvStoreError {
  override readonly name = 'KvCredentialsError';
  override readonly code = 'NO_CREDENTIALS';
}

/** The store's start-up check (`startupCheck: 'fail'`) found it cannot serve; the reason is the `cause`. */
export class StartupCheckError extends KvStoreError {
  override readonly name = 'StartupCheckError';
  override readonly code = 'STARTUP_CHECK_FAILED';
}

/** `increment` met a key that holds a string value, not a counter: nothing changed. `set` or `delete` the key first. */
export class NotACounterError extends KvStoreError {
  override readonly name = 'NotACounterError';
  override readonly code = 'NOT_A_COUNTER';

  constructor(
    /** Kept off the message so that logging the error does not leak it. */
    readonly key: string,
    table: string,
  ) {
    super(`The key given to increment holds a string value in table '${table}', not a counter: nothing changed. Delete or set the key first.`, {
      operation: 'increment',
      table,
    });
  }
}

/** A lease's item holds a value that is not a lease (written by other code under the same key): nothing changed. */
export class NotALeaseError extends KvStoreError {
  override readonly name = 'NotALeaseError';
  override readonly code = 'NOT_A_LEASE';
}
