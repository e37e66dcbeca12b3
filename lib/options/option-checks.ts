import { InvalidOptionsError } from '../contract/kv-store.errors.js';

/** One option's checks: each returns the value to use, or throws {@link InvalidOptionsError} naming the option. */

export function optionalBoolean(input: unknown, option: string, fallback: boolean): boolean {
  if (input === undefined) return fallback;
  if (typeof input !== 'boolean') throw new InvalidOptionsError(option, 'must be a boolean.');
  return input;
}

/**
 * An option that groups settings (`batchRetry`, `healthCheck`, ...): `undefined` when it is absent. Null,
 * arrays and primitives are refused: read as `input?.field` they would silently mean "all defaults", or
 * fail later with a TypeError that names nothing.
 */
export function optionalObject<T extends object>(input: T | undefined, option: string, expected: string): T | undefined {
  const given: unknown = input;
  if (given === undefined) return undefined;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new InvalidOptionsError(option, `must be ${expected} (got ${kindOf(given)}).`);
  }
  return input;
}

/** What an invalid option was, by kind: its value may be a credential, which stays off messages. */
export function kindOf(input: unknown): string {
  if (input === null || input === undefined) return String(input);
  if (Array.isArray(input)) return 'an array';
  return typeof input === 'object' ? 'an object' : `a ${typeof input}`;
}

export function milliseconds(input: unknown, option: string, fallback: number, minimum = 0): number {
  return wholeNumber(input, option, fallback, minimum, 'a whole number of milliseconds');
}

export function count(input: unknown, option: string, fallback: number): number {
  return wholeNumber(input, option, fallback, 1, 'a whole number');
}

function wholeNumber(input: unknown, option: string, fallback: number, minimum: number, what: string): number {
  if (input === undefined) return fallback;
  // Timers take at most 2^31 - 1 ms; the same bound keeps counts sane.
  if (typeof input !== 'number' || !Number.isInteger(input) || input < minimum || input > 2 ** 31 - 1) {
    throw new InvalidOptionsError(option, `must be ${what}, ${minimum} or more.`);
  }
  return input;
}

export function attributeName(input: unknown, option: string, fallback: string): string {
  if (input === undefined) return fallback;
  // Key attribute names are limited to 255 bytes; the same bound keeps the other attributes sane.
  if (typeof input !== 'string' || input.length === 0 || Buffer.byteLength(input, 'utf8') > 255) {
    throw new InvalidOptionsError(option, 'must be a non-empty string of at most 255 UTF-8 bytes.');
  }
  // An item is a JavaScript object on its way to the SDK: '__proto__' would set its prototype, not a field.
  if (input === '__proto__') {
    throw new InvalidOptionsError(option, "cannot be '__proto__': JavaScript objects cannot carry it as a field.");
  }
  return input;
}

export function keyPrefix(input: unknown): string {
  if (input === undefined) return '';
  // A key adds at least one byte to the prefix, and the whole stays within DynamoDB's 2048.
  if (typeof input !== 'string' || !input.isWellFormed() || Buffer.byteLength(input, 'utf8') > 2047) {
    throw new InvalidOptionsError('keyPrefix', 'must be a string of at most 2047 UTF-8 bytes, with no lone surrogate.');
  }
  return input;
}

export function optionalRegion(input: unknown): string | undefined {
  if (input !== undefined && (typeof input !== 'string' || input.length === 0)) {
    throw new InvalidOptionsError('region', 'must be a non-empty string such as "us-east-1".');
  }
  return input;
}

export function optionalEndpoint(input: unknown): string | undefined {
  if (input !== undefined && !isHttpUrl(input)) {
    throw new InvalidOptionsError('endpoint', `must be an http(s) URL (got ${JSON.stringify(input)}).`);
  }
  return input;
}

function isHttpUrl(input: unknown): input is string {
  if (typeof input !== 'string') return false;
  try {
    const { protocol } = new URL(input);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
