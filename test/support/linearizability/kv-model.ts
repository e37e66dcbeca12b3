import type { Operation } from './history.js';

/**
 * Stands for a value not known: the state at the start of a window cut from the middle of a history (see
 * violation-window.ts). It may be any value or none, so whatever the first read sees, it is that.
 */
export const ANY_VALUE: unique symbol = Symbol('any value');

/** What one key holds: its value, null when it has none, or {@link ANY_VALUE}. */
export type KeyState = string | null | typeof ANY_VALUE;

/** What an operation answers, per the model: a read's value, a conditional write's verdict, a count, or nothing. */
export type ModelOutput = string | null | boolean | number | undefined;

export interface Step {
  state: KeyState;
  output: ModelOutput;
}

/** The state of a key no operation has touched. */
export const INITIAL_STATE: KeyState = null;

/**
 * The store's sequential specification for one key, a register: what each operation answers and
 * leaves behind when it runs alone on `state`. A counter is the decimal string it reads as; the workloads
 * never write a string of digits, so a state of digits is a counter and any other string refuses an
 * increment.
 */
export function step(state: KeyState, operation: Operation): Step {
  if (state === ANY_VALUE) return stepOnAnyValue(operation);
  switch (operation.kind) {
    case 'get':
      return { state, output: state };
    case 'set':
      return { state: operation.input.value, output: undefined };
    case 'delete':
      return { state: null, output: undefined };
    case 'setIfAbsent':
      return state === null ? { state: operation.input.value, output: true } : { state, output: false };
    case 'compareAndSwap':
      return state === operation.input.expected ? { state: operation.input.next, output: true } : { state, output: false };
    case 'increment': {
      const count = countOf(state);
      if (count === undefined) return { state, output: null };
      return { state: String(count + operation.input.delta), output: count + operation.input.delta };
    }
  }
}

/** The count a state holds: 0 for none (a counter starts from its delta), undefined for a string value. */
export function countOf(state: string | null): number | undefined {
  if (state === null) return 0;
  return /^-?\d+$/.test(state) ? Number(state) : undefined;
}

/**
 * From a value not known, an operation answers what its caller saw, and leaves what that tells: a read,
 * the value it saw; a conditional write, its value when it wrote, and still a value not known when it did
 * not (an over-approximation, which can only hide violations, never invent one). An unknown outcome is
 * taken as applied (not applied is leaving it out).
 */
function stepOnAnyValue(operation: Operation): Step {
  switch (operation.kind) {
    case 'get':
      return { state: operation.output, output: operation.output };
    case 'set':
      return { state: operation.input.value, output: undefined };
    case 'delete':
      return { state: null, output: undefined };
    case 'setIfAbsent':
      return operation.output === false ? { state: ANY_VALUE, output: false } : { state: operation.input.value, output: operation.output };
    case 'compareAndSwap':
      return operation.output === false ? { state: ANY_VALUE, output: false } : { state: operation.input.next, output: operation.output };
    case 'increment':
      return typeof operation.output === 'number' ? { state: String(operation.output), output: operation.output } : { state: ANY_VALUE, output: operation.output };
  }
}

/**
 * Whether the model's answer is what the caller saw. An unknown outcome was never seen, so any answer
 * fits it (a conditional write that was applied answered with whatever the model says).
 */
export function outputMatches(operation: Operation, output: ModelOutput): boolean {
  if (operation.status === 'unknown') return true;
  switch (operation.kind) {
    case 'get':
    case 'setIfAbsent':
    case 'compareAndSwap':
    case 'increment':
      return operation.output === output;
    case 'set':
    case 'delete':
      return true;
  }
}

/** The operation as code, with what the caller saw: `compareAndSwap('c1-o2' → 'c4-o7') → false`. */
export function describeOperation(operation: Operation): string {
  const seen = operation.status === 'unknown' ? ' → ?' : '';
  switch (operation.kind) {
    case 'get':
      return `get() → ${describeState(operation.output)}`;
    case 'set':
      return `set(${quote(operation.input.value)})${seen}`;
    case 'delete':
      return `delete()${seen}`;
    case 'setIfAbsent':
      return `setIfAbsent(${quote(operation.input.value)}) → ${operation.output ?? '?'}`;
    case 'compareAndSwap':
      return `compareAndSwap(${quote(operation.input.expected)} → ${quote(operation.input.next)}) → ${operation.output ?? '?'}`;
    case 'increment':
      return `increment(${operation.input.delta}) → ${operation.output === null ? 'NotACounterError' : (operation.output ?? '?')}`;
  }
}

export function describeState(state: KeyState): string {
  if (state === ANY_VALUE) return 'unknown (any value, or none)';
  return state === null ? 'missing' : quote(state);
}

export function describeOutput(output: ModelOutput): string {
  if (output === undefined) return 'nothing';
  if (typeof output === 'boolean' || typeof output === 'number') return String(output);
  return output === null ? 'missing' : quote(output);
}

function quote(value: string): string {
  return `'${value}'`;
}
