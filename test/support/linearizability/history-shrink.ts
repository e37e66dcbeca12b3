import type { Operation } from './history.js';
import { windowOf } from './violation-window.js';

/** Whether a part of a history still fails the check (an inconclusive check counts as not failing). */
export type StillFails = (operations: Operation[]) => boolean;

/**
 * A smaller part of a failing history of one key that still fails, for people to read. Only cuts that
 * cannot create a failure are made, so the part proves the whole fails:
 *  - the history up to a point in time: operations called later dropped, and those still running then
 *    taken as unknown outcomes (every prefix of a linearizable history is linearizable);
 *  - completed operations that change nothing (reads, conditional writes that answered false): dropping one
 *    from a linearizable history leaves it linearizable.
 * Writes and unknown outcomes stay: dropping one could explain away, or invent, what a read saw.
 */
export function shrinkHistory(operations: readonly Operation[], stillFails: StillFails, maxChecks = 200): Operation[] {
  let checks = 0;
  const fails = (candidate: Operation[]): boolean => checks++ < maxChecks && stillFails(candidate);
  // Cuts at every call and return; the last "cut" is the whole history, known to fail.
  const times = operations.flatMap((operation) => (operation.status === 'ok' ? [operation.call, operation.return] : [operation.call]));
  const cutTimes = [...[...new Set(times)].sort((a, b) => a - b), Number.POSITIVE_INFINITY];
  // The earliest cut that still fails, by bisection: failing is monotone in the cut.
  let low = 0;
  let high = cutTimes.length - 1;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (fails(prefixAt(operations, cutTimes[middle]!))) high = middle;
    else low = middle + 1;
  }
  let shrunk = prefixAt(operations, cutTimes[high]!);
  for (let index = shrunk.length - 1; index >= 0 && checks < maxChecks; index -= 1) {
    if (!changesNothing(shrunk[index]!)) continue;
    const without = shrunk.filter((_, other) => other !== index);
    if (fails(without)) shrunk = without;
  }
  return shrunk;
}

/** The history as it stood at `time`: what was called by then, with what was still running as unknown. */
function prefixAt(operations: readonly Operation[], time: number): Operation[] {
  return windowOf(operations, Number.NEGATIVE_INFINITY, time);
}

function changesNothing(operation: Operation): boolean {
  if (operation.status !== 'ok') return false;
  if (operation.kind === 'get') return true;
  if (operation.kind === 'increment') return operation.output === null;
  return (operation.kind === 'setIfAbsent' || operation.kind === 'compareAndSwap') && operation.output === false;
}
