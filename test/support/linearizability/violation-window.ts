import type { Operation } from './history.js';
import { searchLinearization } from './key-search.js';
import { ANY_VALUE, INITIAL_STATE, type KeyState } from './kv-model.js';

/** A part of a key's history that is not linearizable on its own, which proves the whole is not. */
export interface Window {
  ops: Operation[];
  /** The state it starts from: the key's initial state for a window at the start, else a value not known. */
  initial: KeyState;
}

/** Window lengths tried, in operations, shortest first: a short window is cheap to search through. */
const WINDOW_LENGTHS = [8, 16, 32, 64, 128, 256];

/**
 * Looks for a short stretch of a key's history that already fails, for histories too large to search
 * exhaustively (a violation has to rule out every order, which takes long on hundreds of concurrent
 * operations) and to show people a small proof. A window from `from` to `to` keeps:
 *  - the operations called in it, those still running at its end as unknown outcomes (a prefix);
 *  - the writes called before it that may take effect in it (still running, or unknown) as unknown outcomes,
 *    since they may also have taken effect before it;
 *  - and starts from a value not known (kv-model's ANY_VALUE), which stands for whatever the operations
 *    before it left.
 * Each of these can only allow more orders, never fewer, so a window that fails proves a violation.
 */
export function findViolationWindow(operations: readonly Operation[], maxStepsPerWindow: number): Window | undefined {
  const ordered = [...operations].sort((a, b) => a.call - b.call);
  for (const length of WINDOW_LENGTHS) {
    if (length >= ordered.length) return undefined;
    for (let first = 0; first < ordered.length; first += length / 2) {
      const last = Math.min(ordered.length, first + length) - 1;
      const from = ordered[first]!.call;
      const to = Math.max(...ordered.slice(first, last + 1).map((operation) => (operation.status === 'ok' ? operation.return : operation.call)));
      const window: Window = { ops: windowOf(ordered, from, to), initial: first === 0 ? INITIAL_STATE : ANY_VALUE };
      if (searchLinearization(window.ops, maxStepsPerWindow, window.initial).verdict === 'violation') return window;
    }
  }
  return undefined;
}

/** The operations of the window from `from` to `to`, as described on {@link findViolationWindow}. */
export function windowOf(operations: readonly Operation[], from: number, to: number): Operation[] {
  const window: Operation[] = [];
  for (const operation of operations) {
    if (operation.call > to) continue;
    const runsAfter = operation.status === 'unknown' || operation.return > to;
    if (operation.call >= from) {
      if (!runsAfter) window.push(operation);
      else if (changesState(operation)) window.push(asUnknown(operation));
    } else if ((operation.status === 'unknown' || operation.return >= from) && changesState(operation)) {
      window.push(asUnknown(operation));
    }
  }
  return window;
}

/** Whether an operation may have changed the key: a write, unless it answered that it did not. */
export function changesState(operation: Operation): boolean {
  if (operation.kind === 'get') return false;
  if (operation.kind === 'setIfAbsent' || operation.kind === 'compareAndSwap') return operation.status === 'unknown' || operation.output === true;
  if (operation.kind === 'increment') return operation.output !== null;
  return true;
}

/** The operation as one whose outcome is not known: it may take effect at any time after its call, or never. */
export function asUnknown(operation: Operation): Operation {
  if (operation.status === 'unknown') return operation;
  if (operation.kind === 'setIfAbsent' || operation.kind === 'compareAndSwap' || operation.kind === 'increment') {
    return { ...operation, status: 'unknown', output: undefined, cut: true };
  }
  return { ...operation, status: 'unknown', cut: true };
}
