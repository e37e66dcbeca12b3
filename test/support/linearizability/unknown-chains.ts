import type { Operation } from './history.js';
import { ANY_VALUE, step, type KeyState } from './kv-model.js';

/** How deep {@link ChainCheck} follows chains of unknown operations before it assumes the chain matters. */
const CHAIN_DEPTH = 3;

/**
 * Whether an unknown operation taken now, moving the key from `before` to `after`, can matter to what
 * follows it. Any order that finishes the history can be rewritten so that each unknown operation it takes
 * changes the key and is followed right away by one that depends on that: one that changes nothing and
 * fits either way can go first; one that overwrites the key, or the end of the history, makes it useless
 * (drop it), and so does changing nothing. What depends on it is a completed operation that fits `after`
 * and not `before`, or an unknown conditional write that applies on `after` and not on `before` and
 * itself matters in turn. When no candidate is such, the search does not take the operation there.
 *
 * Answers are kept per (before, after, depth): the many unknown deletes of a key all lead to "missing".
 * Saying "matters" too often only costs time, so the chain may pass through an operation twice, and
 * past CHAIN_DEPTH links the answer is yes.
 */
export class ChainCheck {
  /** Answers by depth, then before, then after. */
  private readonly answers: Array<Map<KeyState, Map<KeyState, boolean>>> = [];
  /** States some completed candidate needs exactly: what a read saw, what a swap that wrote expected, null for setIfAbsent that wrote. */
  private readonly neededStates = new Set<KeyState>();
  /** Whether a completed setIfAbsent answered false: it needs a value there. */
  private needsSomeValue = false;
  /** What completed swaps that answered false expected: each needs another state. */
  private readonly refusedExpectations = new Set<string>();
  /** Unknown setIfAbsent writes, which apply on a missing key. */
  private readonly unknownSetIfAbsent: Operation[] = [];
  /** Unknown swaps by the value they expect. */
  private readonly unknownSwaps = new Map<string, Operation[]>();
  /**
   * Whether an increment is among the candidates: what it needs and leads to depends on the count, so
   * rather than index that, every change is taken to matter (safe: it only costs time).
   */
  private readonly counting: boolean;

  constructor(candidates: readonly Operation[]) {
    this.counting = candidates.some((operation) => operation.kind === 'increment');
    for (const operation of candidates) {
      if (operation.status === 'ok') this.indexCompleted(operation);
      else if (operation.kind === 'setIfAbsent') this.unknownSetIfAbsent.push(operation);
      else if (operation.kind === 'compareAndSwap') {
        const { expected } = operation.input;
        this.unknownSwaps.set(expected, [...(this.unknownSwaps.get(expected) ?? []), operation]);
      }
    }
  }

  matters(before: KeyState, after: KeyState, depth = 0): boolean {
    if (depth >= CHAIN_DEPTH) return true;
    const byBefore = (this.answers[depth] ??= new Map());
    let byAfter = byBefore.get(before);
    if (byAfter === undefined) byBefore.set(before, (byAfter = new Map()));
    const known = byAfter.get(after);
    if (known !== undefined) return known;
    const answer = this.dependsOn(before, after, depth);
    byAfter.set(after, answer);
    return answer;
  }

  /** The completed operations (set, delete: fit anywhere) by what state they need, so that a query costs no scan. */
  private indexCompleted(operation: Operation): void {
    switch (operation.kind) {
      case 'get':
        this.neededStates.add(operation.output);
        return;
      case 'setIfAbsent':
        if (operation.output === true) this.neededStates.add(null);
        else this.needsSomeValue = true;
        return;
      case 'compareAndSwap':
        if (operation.output === true) this.neededStates.add(operation.input.expected);
        else this.refusedExpectations.add(operation.input.expected);
        return;
      case 'set':
      case 'delete':
      case 'increment':
        return;
    }
  }

  /**
   * A completed candidate that fits `after` and not `before`, or an unknown conditional write that applies
   * on `after`, not on `before`, and matters in turn. `after` is a known state (no unknown operation leads
   * to a value not known); from a value not known everything fits, so nothing depends on leaving it.
   */
  private dependsOn(before: KeyState, after: KeyState, depth: number): boolean {
    if (before === ANY_VALUE || after === ANY_VALUE) return before !== ANY_VALUE;
    if (this.counting) return true;
    if (this.neededStates.has(after)) return true;
    if (before === null && this.needsSomeValue) return true;
    if (before !== null && this.refusedExpectations.has(before)) return true;
    if (after === null && before !== null) {
      for (const operation of this.unknownSetIfAbsent) if (this.matters(null, step(null, operation).state, depth + 1)) return true;
    }
    if (after !== null) {
      for (const operation of this.unknownSwaps.get(after) ?? []) if (this.matters(after, step(after, operation).state, depth + 1)) return true;
    }
    return false;
  }
}
