import type { Operation } from './history.js';
import { explainInconclusive, explainViolation } from './explanation.js';
import { shrinkHistory } from './history-shrink.js';
import { searchLinearization } from './key-search.js';
import { INITIAL_STATE } from './kv-model.js';
import { findViolationWindow, type Window } from './violation-window.js';

export interface CheckOptions {
  /** Search steps allowed per key before the verdict is 'inconclusive' rather than a hang. */
  maxSteps?: number;
}

export type CheckResult =
  | { ok: true; verdict: 'linearizable'; steps: number }
  | {
      ok: false;
      /** 'violation': proven not linearizable; 'inconclusive': the search gave up (a test must fail on it too). */
      verdict: 'violation' | 'inconclusive';
      key: string;
      /** The smallest part of the key's history found that still fails (all of it, when inconclusive). */
      ops: Operation[];
      explanation: string;
      steps: number;
    };

export const DEFAULT_MAX_STEPS = 2_000_000;

/** Steps for a first try at the whole history of a key, which settles most linearizable ones. */
const FIRST_TRY_STEPS = 200_000;

/** Steps for each window searched for a short proof of a violation: windows are small, most are cheap. */
const WINDOW_STEPS = 50_000;

/** Steps for all the searches that shrink a failing history to what people read. */
const SHRINK_STEPS = 2_000_000;

type KeyVerdict = { verdict: 'linearizable'; steps: number } | { verdict: 'violation'; steps: number; failing: Window } | { verdict: 'inconclusive'; steps: number };

/**
 * Whether a history of the store is linearizable: whether each operation can be given one instant
 * between its call and its return at which it took effect, the order of those instants fitting the
 * sequential model (kv-model.ts). Every operation touches one key, and a store is linearizable when each
 * key's history is (P-compositionality), so keys are checked one at a time, a proven violation reported
 * before an inconclusive key.
 */
export function checkLinearizable(operations: readonly Operation[], options: CheckOptions = {}): CheckResult {
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  let steps = 0;
  let inconclusive: { key: string; ops: Operation[]; steps: number } | undefined;
  for (const [key, ops] of byKey(operations)) {
    const checked = checkKey(ops, maxSteps);
    steps += checked.steps;
    if (checked.verdict === 'violation') {
      const { failing } = checked;
      const shown = shrinkHistory(failing.ops, budgeted(SHRINK_STEPS, Math.min(maxSteps, FIRST_TRY_STEPS), failing));
      const again = searchLinearization(shown, maxSteps, failing.initial);
      const furthest = again.verdict === 'linearizable' ? undefined : again.furthest;
      const explanation = explainViolation(key, { shown, initial: failing.initial }, ops.length, furthest);
      return { ok: false, verdict: 'violation', key, ops: shown, explanation, steps };
    }
    if (checked.verdict === 'inconclusive') inconclusive ??= { key, ops, steps: checked.steps };
  }
  if (inconclusive === undefined) return { ok: true, verdict: 'linearizable', steps };
  const { key, ops } = inconclusive;
  return { ok: false, verdict: 'inconclusive', key, ops, explanation: explainInconclusive(key, ops, inconclusive.steps), steps };
}

/**
 * One key, in stages: a short search of the whole history, which settles most linearizable ones; then
 * short windows of it that fail on their own (violation-window.ts), since proving a violation means
 * ruling out every order, which a short window allows even when the whole is too large for it; then the
 * whole again, with every step allowed.
 */
function checkKey(ops: Operation[], maxSteps: number): KeyVerdict {
  const whole: Window = { ops, initial: INITIAL_STATE };
  const firstTry = searchLinearization(ops, Math.min(FIRST_TRY_STEPS, maxSteps));
  if (firstTry.verdict === 'linearizable') return firstTry;
  if (firstTry.verdict === 'violation') return { verdict: 'violation', steps: firstTry.steps, failing: whole };
  const window = findViolationWindow(ops, Math.min(WINDOW_STEPS, maxSteps));
  if (window !== undefined) return { verdict: 'violation', steps: firstTry.steps, failing: window };
  if (maxSteps <= FIRST_TRY_STEPS) return firstTry;
  const full = searchLinearization(ops, maxSteps);
  const steps = firstTry.steps + full.steps;
  return full.verdict === 'violation' ? { verdict: 'violation', steps, failing: whole } : { verdict: full.verdict, steps };
}

/** "Still fails" for shrinking, each search bounded, all of them within `total` steps (past it: no). */
function budgeted(total: number, each: number, failing: Window): (part: Operation[]) => boolean {
  let left = total;
  return (part) => {
    if (left <= 0) return false;
    const result = searchLinearization(part, Math.min(each, left), failing.initial);
    left -= result.steps;
    return result.verdict === 'violation';
  };
}

/** The operations of each key, keys in name order so that reports are stable. */
function byKey(operations: readonly Operation[]): Array<[string, Operation[]]> {
  const keys = new Map<string, Operation[]>();
  for (const operation of operations) {
    const ops = keys.get(operation.key);
    if (ops === undefined) keys.set(operation.key, [operation]);
    else ops.push(operation);
  }
  return [...keys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
