import { InvalidKeyError, InvalidValueError, ItemTooLargeError, type KvStoreErrorContext } from '../contract/kv-store.errors.js';

/** DynamoDB's partition key limit, in UTF-8 bytes (the key prefix included). */
export const MAX_KEY_BYTES = 2048;
/** DynamoDB's item limit (400 KB): UTF-8 bytes of every attribute name plus value. */
export const MAX_ITEM_BYTES = 409_600;

/** The attribute that holds a conditional write's token (16 characters), so a resent write can know its own item. */
export const WRITE_TOKEN_ATTRIBUTE = 'kvWriteToken';
/** What the token adds to a conditionally written item. */
export const WRITE_TOKEN_BYTES = WRITE_TOKEN_ATTRIBUTE.length + 16;

/** The Number attribute that holds a counter (`increment`), apart from string values so that `ADD` can apply to it. */
export const COUNTER_ATTRIBUTE = 'kvCount';

/** The attributes of a stored item, whose names count toward its size. */
export interface ItemShape {
  partitionKeyName: string;
  valueAttributeName: string;
  expiryAttributeName: string;
}

/**
 * Checks a key the way DynamoDB does, but in UTF-8 bytes (dynalite counts characters), with the bytes of
 * the store's key prefix counted in.
 */
export function assertValidKey(key: unknown, context: KvStoreErrorContext, prefixBytes = 0): asserts key is string {
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
  const bytes = Buffer.byteLength(key, 'utf8') + prefixBytes;
  if (bytes > MAX_KEY_BYTES) {
    const withPrefix = prefixBytes > 0 ? ` with the ${prefixBytes}-byte key prefix` : '';
    throw new InvalidKeyError(`it is ${bytes} UTF-8 bytes${withPrefix}; DynamoDB allows at most ${MAX_KEY_BYTES}.`, context);
  }
}

/** Checks that a value is a string that survives the UTF-8 round-trip unchanged. */
export function assertValidValue(value: unknown, context: KvStoreErrorContext): asserts value is string {
  if (typeof value !== 'string') {
    throw new InvalidValueError(`expected a string, got ${describeType(value)}.`, context);
  }
  if (!value.isWellFormed()) {
    throw new InvalidValueError('it contains a lone UTF-16 surrogate, which has no UTF-8 form.', context);
  }
}

/**
 * Size of the stored item as DynamoDB counts it: the UTF-8 bytes of each attribute name and string, and
 * for the expiry (a number) about one byte per two significant digits, plus one.
 */
export function itemBytes(shape: ItemShape, storedKey: string, value: string, expiresAt?: number, extraBytes = 0): number {
  const strings =
    extraBytes +
    Buffer.byteLength(shape.partitionKeyName, 'utf8') +
    Buffer.byteLength(storedKey, 'utf8') +
    Buffer.byteLength(shape.valueAttributeName, 'utf8') +
    Buffer.byteLength(value, 'utf8');
  if (expiresAt === undefined) return strings;
  const digits = String(expiresAt).replace(/^0+/, '').length;
  return strings + Buffer.byteLength(shape.expiryAttributeName, 'utf8') + Math.ceil(digits / 2) + 1;
}

export function assertItemFits(
  shape: ItemShape,
  storedKey: string,
  value: string,
  expiresAt: number | undefined,
  context: KvStoreErrorContext,
  extraBytes = 0,
): void {
  const size = itemBytes(shape, storedKey, value, expiresAt, extraBytes);
  if (size > MAX_ITEM_BYTES) throw new ItemTooLargeError(size, MAX_ITEM_BYTES, context);
}

export function describeType(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  return typeof input;
}
