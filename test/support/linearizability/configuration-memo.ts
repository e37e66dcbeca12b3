import type { KeyState } from './kv-model.js';

/**
 * The configurations explored: by completed set, then state, the sets of unknown operations taken. The
 * completed set is keyed by its text: V8 hashes a BigInt by its lowest digit only, and completed sets
 * share their low bits (the earliest operations) once the search is past them.
 */
export class ConfigurationMemo {
  private readonly seen = new Map<string, Map<KeyState, bigint[]>>();

  /** False when an explored configuration covers this one (same completed set and state, fewer unknown taken). */
  add(completed: bigint, unknown: bigint, state: KeyState): boolean {
    const key = completed.toString(36);
    let byState = this.seen.get(key);
    if (byState === undefined) this.seen.set(key, (byState = new Map()));
    const unknownSets = byState.get(state);
    if (unknownSets === undefined) {
      byState.set(state, [unknown]);
      return true;
    }
    if (unknownSets.some((explored) => (explored & unknown) === explored)) return false;
    // Those this one covers will never be needed again.
    byState.set(state, [...unknownSets.filter((explored) => (explored & unknown) !== unknown), unknown]);
    return true;
  }
}
