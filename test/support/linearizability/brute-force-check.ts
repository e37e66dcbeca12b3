import { returnTime, type Operation } from './history.js';
import { outputMatches, step, type KeyState } from './kv-model.js';

/**
 * Linearizability of a tiny one-key history by trying every order, straight from the definition: an
 * operation may go next when no other operation still to go (and not unknown) returned before it was
 * called; unknown outcomes may also never go. The checker's reference in its tests (exponential: a
 * handful of operations only).
 */
export function bruteForceLinearizable(operations: readonly Operation[], initial: KeyState): boolean {
  const failed = new Set<string>();
  const search = (left: readonly Operation[], state: KeyState): boolean => {
    if (left.every((operation) => operation.status === 'unknown')) return true;
    const memoKey = `${left.map((operation) => operations.indexOf(operation)).join(',')}|${String(state)}`;
    if (failed.has(memoKey)) return false;
    for (const operation of left) {
      const blocked = left.some((other) => other !== operation && returnTime(other) < operation.call);
      if (blocked) continue;
      const result = step(state, operation);
      if (!outputMatches(operation, result.output)) continue;
      const rest = left.filter((other) => other !== operation);
      if (search(rest, result.state)) return true;
      // An unknown outcome may also never take effect.
      if (operation.status === 'unknown' && search(rest, state)) return true;
    }
    failed.add(memoKey);
    return false;
  };
  return search(operations, initial);
}
