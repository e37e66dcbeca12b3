import { InvalidKeyError, type KvStoreErrorContext } from '../contract/kv-store.errors.js';

/** What each batch call takes, in the words its error uses. */
const WHAT_TO_PASS = {
  get_many: 'an array (or another iterable) of key strings; for one key, pass [key]',
  delete_many: 'an array (or another iterable) of key strings; for one key, pass [key]',
  set_many: 'an array of [key, value] pairs, a Map, or another iterable of pairs',
} as const;

export type BatchOperation = keyof typeof WHAT_TO_PASS;

/** Where the argument was given: the batch call, and the store's table for the message. */
export interface BatchArgumentPlace extends KvStoreErrorContext {
  operation: BatchOperation;
  table: string;
}

/**
 * The keys of `getMany`/`deleteMany`, or the entries of `setMany`, as an array read once. A string is
 * iterable character by character, so `getMany('abc')` would read the keys 'a', 'b' and 'c': it is refused,
 * like anything that is not iterable (null, undefined, a number, a plain object), with
 * {@link InvalidKeyError} saying what to pass. The elements are checked afterwards, one by one, with their
 * position; a bad `setMany` entry is an `InvalidKeyError` too, so the argument as a whole is one as well.
 * Throws synchronously: call it where a throw becomes the call's rejection (inside an async function).
 */
export function batchList<T>(input: Iterable<T>, place: BatchArgumentPlace): T[] {
  // The declared type says nothing at run time: callers in JavaScript, or behind `as`, pass anything.
  const given: unknown = input;
  if (typeof given === 'string' || given instanceof String || !isIterable(given)) {
    throw new InvalidKeyError(
      `the argument of ${place.operation} on table '${place.table}' must be ${WHAT_TO_PASS[place.operation]}, not ${kindOf(given)}.`,
      place,
    );
  }
  return Array.from(given as Iterable<T>);
}

function isIterable(input: unknown): input is Iterable<unknown> {
  return input !== null && input !== undefined && typeof (input as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';
}

/** What was passed, by kind only: the argument may hold keys, which stay off messages. */
function kindOf(input: unknown): string {
  if (input === null || input === undefined) return String(input);
  if (typeof input === 'string' || input instanceof String) return 'a string';
  if (typeof input === 'object') return 'an object that is not iterable';
  return `a ${typeof input}`;
}
