import { ConfigurationMemo } from './configuration-memo.js';
import { entryList, lift, unlift, type Entry } from './event-list.js';
import type { Operation } from './history.js';
import { ANY_VALUE, INITIAL_STATE, outputMatches, step, type KeyState, type ModelOutput } from './kv-model.js';
import { ChainCheck } from './unknown-chains.js';

/** How far the search got: the longest order it found that fits, and what could not follow it. */
export interface Progress {
  /** Operations linearized, in order (completed ones, and unknown ones taken as applied). */
  order: Operation[];
  /** The key's state after `order`. */
  state: KeyState;
  completedLinearized: number;
  completedTotal: number;
  /** The operations that could have come next (called before any pending one returned), with what the model would answer. */
  next: Array<{ operation: Operation; output: ModelOutput }>;
}

export type SearchResult =
  | { verdict: 'linearizable'; steps: number }
  | { verdict: 'violation'; steps: number; furthest: Progress }
  | { verdict: 'inconclusive'; steps: number; furthest: Progress };

/** A configuration's way on: taking the operation of `entry`, which leaves the key at `state`. */
interface Move {
  entry: Entry;
  state: KeyState;
}

/**
 * A configuration on the search path: its state, the moves to try from it, and how many were tried. The
 * moves of unknown outcomes are worked out only once the others are used up: most configurations never
 * need them, and each costs a look at every candidate.
 */
interface Frame {
  state: KeyState;
  moves: Move[];
  tried: number;
  unknownAdded: boolean;
}

/**
 * Wing & Gong's search with Lowe's memoization, as Porcupine does it, over the operations of ONE key:
 * take an operation that may go next (called before every pending operation returned), apply it to the
 * model, and backtrack when none fits. A configuration (operations taken, state) is explored once.
 *
 * Unknown outcomes never return, so they never hold others back, and may be left out entirely: the search
 * succeeds once every completed operation is taken. Taking an unknown operation can then only narrow what
 * follows, which gives a stronger memo than equality: a configuration is skipped when one with the same
 * completed operations and state, and a subset of its unknown ones, was already explored (whatever
 * finishes the larger one finishes the smaller one, by leaving the extra unknown operations out).
 *
 * Which moves a configuration tries, and in which order, is what keeps it fast (see movesAt).
 */
export function searchLinearization(operations: readonly Operation[], maxSteps: number, initial: KeyState = INITIAL_STATE): SearchResult {
  // A read whose outcome is unknown saw nothing and changed nothing.
  const ops = operations.filter((operation) => !(operation.kind === 'get' && operation.status === 'unknown'));
  const bits = bitsOf(ops);
  const completedTotal = ops.filter((operation) => operation.status === 'ok').length;
  const head = entryList(ops);
  const memo = new ConfigurationMemo();
  const path: Entry[] = [];
  let state: KeyState = initial;
  let completed = 0n;
  let unknown = 0n;
  let taken = 0;
  let steps = 0;
  let furthest = progressAt(head, ops, path, state, completedTotal);
  if (completedTotal === 0) return { verdict: 'linearizable', steps };
  memo.add(completed, unknown, state);
  const frameAt = (): Frame => ({ state, moves: movesAt(head, ops, state), tried: 0, unknownAdded: false });
  const stack: Frame[] = [frameAt()];

  for (;;) {
    steps += 1;
    if (steps > maxSteps) return { verdict: 'inconclusive', steps, furthest };
    const frame = stack[stack.length - 1]!;
    if (frame.tried === frame.moves.length && !frame.unknownAdded) {
      frame.unknownAdded = true;
      // A forced read stands for all moves (see movesAt): nothing else to add after it.
      if (!(frame.moves.length === 1 && isForced(frame.moves[0]!, ops, frame.state))) frame.moves.push(...unknownMovesAt(head, ops, frame.state));
    }
    const move = frame.moves[frame.tried];
    if (move === undefined) {
      // No way on from here: undo the move that led here.
      stack.pop();
      const parent = stack[stack.length - 1];
      if (parent === undefined) return { verdict: 'violation', steps, furthest };
      const entry = path.pop()!;
      if (ops[entry.operation]!.status === 'ok') {
        completed ^= bits[entry.operation]!;
        taken -= 1;
      } else {
        unknown ^= bits[entry.operation]!;
      }
      unlift(entry);
      state = parent.state;
      continue;
    }
    frame.tried += 1;
    const index = move.entry.operation;
    const isCompleted = ops[index]!.status === 'ok';
    const nextCompleted = isCompleted ? completed ^ bits[index]! : completed;
    const nextUnknown = isCompleted ? unknown : unknown ^ bits[index]!;
    if (!memo.add(nextCompleted, nextUnknown, move.state)) continue;
    completed = nextCompleted;
    unknown = nextUnknown;
    state = move.state;
    lift(move.entry);
    path.push(move.entry);
    if (isCompleted) taken += 1;
    if (taken === completedTotal) return { verdict: 'linearizable', steps };
    if (taken > furthest.completedLinearized) furthest = progressAt(head, ops, path, state, completedTotal);
    stack.push(frameAt());
  }
}

/**
 * The moves worth trying from a configuration, among the operations that may go next (called before any
 * pending one returned):
 *  - a completed operation that changes nothing by what it answered (a read, a conditional write that
 *    answered false) and fits the state: that one alone. It can be moved to the front of any order that
 *    finishes the history (it may go next, and moving it changes no one's answer), so if it leads nowhere
 *    nothing does. (A read on a value not known is not such: it tells what the value was, and another
 *    order may need it otherwise.)
 *  - else the other completed operations that fit, soonest return first: those must go soon anyway, and
 *    an operation that runs long taken early is the wrong guess that costs the most to undo;
 *  - then (unknownMovesAt) unknown outcomes that change the key and matter to what may follow, last, so
 *    that one is taken only when the completed operations cannot go on without it.
 */
function movesAt(head: Entry, ops: readonly Operation[], state: KeyState): Move[] {
  const writes: Move[] = [];
  for (let entry = head.next; entry !== null && entry.kind === 'call'; entry = entry.next) {
    const operation = ops[entry.operation]!;
    if (operation.status === 'unknown') continue;
    const result = step(state, operation);
    if (!outputMatches(operation, result.output)) continue;
    const move: Move = { entry, state: result.state };
    if (isForced(move, ops, state)) return [move];
    writes.push(move);
  }
  return writes.sort((a, b) => a.entry.match!.time - b.entry.match!.time);
}

/** Whether a move that fits is one that stands for all (see movesAt). */
function isForced(move: Move, ops: readonly Operation[], state: KeyState): boolean {
  const operation = ops[move.entry.operation]!;
  return operation.status === 'ok' && answersUnchanged(operation) && !(operation.kind === 'get' && state === ANY_VALUE);
}

/** The unknown outcomes worth taking from a configuration (see ChainCheck), in call order. */
function unknownMovesAt(head: Entry, ops: readonly Operation[], state: KeyState): Move[] {
  const candidates: Operation[] = [];
  const unknown: Entry[] = [];
  for (let entry = head.next; entry !== null && entry.kind === 'call'; entry = entry.next) {
    const operation = ops[entry.operation]!;
    candidates.push(operation);
    if (operation.status === 'unknown') unknown.push(entry);
  }
  const chains = new ChainCheck(candidates);
  const moves: Move[] = [];
  for (const entry of unknown) {
    const after = step(state, ops[entry.operation]!).state;
    if (after !== state && chains.matters(state, after)) moves.push({ entry, state: after });
  }
  return moves;
}

/** A read, or a conditional write that answered it did not write: what it answered says it changed nothing. */
function answersUnchanged(operation: Operation): boolean {
  if (operation.kind === 'get') return true;
  if (operation.kind === 'increment') return operation.output === null;
  return (operation.kind === 'setIfAbsent' || operation.kind === 'compareAndSwap') && operation.output === false;
}

/** One bit per operation, numbered separately among completed and among unknown operations. */
function bitsOf(ops: readonly Operation[]): bigint[] {
  let completed = 0n;
  let unknown = 0n;
  return ops.map((operation) => {
    if (operation.status === 'ok') return 1n << completed++;
    return 1n << unknown++;
  });
}

function countCompleted(path: readonly Entry[], ops: readonly Operation[]): number {
  let count = 0;
  for (const entry of path) if (ops[entry.operation]!.status === 'ok') count += 1;
  return count;
}

function progressAt(head: Entry, ops: readonly Operation[], path: readonly Entry[], state: KeyState, completedTotal: number): Progress {
  const next: Progress['next'] = [];
  for (let entry = head.next; entry !== null && entry.kind === 'call'; entry = entry.next) {
    const operation = ops[entry.operation]!;
    next.push({ operation, output: step(state, operation).output });
  }
  return {
    order: path.map((entry) => ops[entry.operation]!),
    state,
    completedLinearized: countCompleted(path, ops),
    completedTotal,
    next,
  };
}
