/**
 * A history of store calls, one operation per key touched, as a linearizability checker reads it. Calls
 * that ended "nothing changed" are not in it (they had no effect), nor are failed reads (they saw nothing).
 */

/** `ok`: the call ended with this result. `unknown`: it may or may not have taken effect, at any time after its call. */
export type OperationStatus = 'ok' | 'unknown';

/** The store call an operation came from, when it was a batch call recorded as one operation per key. */
export type BatchOrigin = 'getMany' | 'setMany' | 'deleteMany';

interface OperationBase {
  /** Who issued it: a client's number; the final reads use their own. */
  client: number;
  key: string;
  /** `performance.now()` when the call was made. */
  call: number;
  /** `performance.now()` when it ended; an `unknown` operation is treated as never ending (+Infinity). */
  return: number;
  status: OperationStatus;
  origin?: BatchOrigin;
  /** Set on an operation still running where the checker cut the history short, so taken as unknown. */
  cut?: true;
}

/** `output`: the value read, `null` for a missing key. */
export interface GetOperation extends OperationBase {
  kind: 'get';
  output: string | null;
}

export interface SetOperation extends OperationBase {
  kind: 'set';
  input: { value: string };
}

export interface DeleteOperation extends OperationBase {
  kind: 'delete';
}

/** `output`: whether it wrote; absent when the outcome is unknown. */
export interface SetIfAbsentOperation extends OperationBase {
  kind: 'setIfAbsent';
  input: { value: string };
  output?: boolean;
}

/** `output`: whether it wrote; absent when the outcome is unknown. */
export interface CompareAndSwapOperation extends OperationBase {
  kind: 'compareAndSwap';
  input: { expected: string; next: string };
  output?: boolean;
}

/**
 * `output`: the new count; null when the key held a string value and the store refused it
 * (`NotACounterError`); absent when the outcome is unknown.
 */
export interface IncrementOperation extends OperationBase {
  kind: 'increment';
  input: { delta: number };
  output?: number | null;
}

export type Operation = GetOperation | SetOperation | DeleteOperation | SetIfAbsentOperation | CompareAndSwapOperation | IncrementOperation;

export type OperationKind = Operation['kind'];

/** When an operation's effect can no longer happen: its return, or never for an unknown outcome. */
export function returnTime(operation: Operation): number {
  return operation.status === 'ok' ? operation.return : Number.POSITIVE_INFINITY;
}
