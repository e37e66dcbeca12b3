import { InvalidKeyError, InvalidValueError, ItemTooLargeError } from '../../contract/kv-store.errors.js';
import type { KvOperation } from '../../contract/kv-store.interface.js';

/** DynamoDB's partition key limit, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 2048;
/** DynamoDB's item limit (400 KB): UTF-8 bytes of every attribute name plus value. */
export const MAX_ITEM_BYTES = 409_600;

export interface ItemShape {
  partitionKeyName: string;
  valueAttributeName: string;
}

/** Checks a key the way DynamoDB does, but in UTF-8 bytes (dynalite counts characters). */
export function assertValidKey(key: unknown, operation: KvOperation, table: string): asserts key is string {
  const context = { operation, table };
  if (typeof key !== 'string') {
    throw new InvalidKeyError(`expected a string, got ${describeType(key)}.`, context);
  }
  if (key.length === 0) {
    throw new InvalidKeyError('it is empty; DynamoDB keys need at least one character.', context);
  }
  // The SDK would silently turn a lone surrogate into U+FFFD, so two different keys would hit one item.
  if (!key.isWellFormed()) {
    throw new InvalidKeyError('it contains a lone UTF-16 surrogate, which has no UTF-8 form.', context);
  }
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    throw new InvalidKeyError(`it is ${bytes} UTF-8 bytes; DynamoDB allows at most ${MAX_KEY_BYTES}.`, context);
  }
}

/** Checks that a value is a string that survives the UTF-8 round-trip unchanged. */
export function assertValidValue(value: unknown, table: string): asserts value is string {
  const context = { operation: 'set' as const, table };
  if (typeof value !== 'string') {
    throw new InvalidValueError(`expected a string, got ${describeType(value)}.`, context);
  }
  if (!value.isWellFormed()) {
    throw new InvalidValueError('it contains a lone UTF-16 surrogate, which has no UTF-8 form.', context);
  }
}

/** Size of the stored item as DynamoDB counts it. */
export function itemBytes(shape: ItemShape, key: string, value: string): number {
  return (
    Buffer.byteLength(shape.partitionKeyName, 'utf8') +
    Buffer.byteLength(key, 'utf8') +
    Buffer.byteLength(shape.valueAttributeName, 'utf8') +
    Buffer.byteLength(value, 'utf8')
  );
}

export function assertItemFits(shape: ItemShape, key: string, value: string, table: string): void {
  const size = itemBytes(shape, key, value);
  if (size > MAX_ITEM_BYTES) {
    throw new ItemTooLargeError(size, MAX_ITEM_BYTES, { operation: 'set', table });
  }
}

function describeType(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  return typeof input;
}
