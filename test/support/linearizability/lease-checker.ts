import { describeHolding, wasHeld, type LeaseHistory, type LeaseHolding, type LeaseInDoubt, type LeaseRefusal } from './lease-history.js';
import { freeFrom, heldUntil, heldUntilInDoubt, releasedFrom } from './lease-timeline.js';

export type LeaseCheckResult = { ok: true } | { ok: false; explanation: string };

/** Slack for a null's wait: the history's Date.now() counts whole milliseconds, the lease's performance.now() does not. */
const CLOCK_ROUNDING_MS = 2;

/** One name's part of the history, holdings in token order. */
interface NameHistory {
  name: string;
  holdings: LeaseHolding[];
  refusals: LeaseRefusal[];
  inDoubt: LeaseInDoubt[];
}

/**
 * Checks a lease history against what leases promise, name by name:
 *  1. a lease arrives with time left (its signal has not aborted when acquireLease returns);
 *  2. no two holdings overlap, each from the return of acquireLease to its release call or its signal's
 *     abort, whichever came first;
 *  3. no acquisition returns before its predecessor's lease could be free by the store's clock: the
 *     earliest expiry its item could hold, or a release of it;
 *  4. tokens strictly increase as the lease changes hands and with real time, and none is handed out twice;
 *  5. extend answers true only while no later holder had the lease, and before its new expiry; release
 *     answers true only when no later holder got the lease before this one let go, false only when one may
 *     have taken it;
 *  6. null only once waitMs ran out, and only while another acquisition may have held the lease;
 *  7. the token stored at the end (0 for no item) is at least the greatest handed out.
 * The first violation of each name is explained with the calls that show it (times from the first call).
 */
export function checkLeaseHistory(history: LeaseHistory, finalTokens: ReadonlyMap<string, number> = new Map()): LeaseCheckResult {
  const origin = Math.min(...[...history.holdings, ...history.refusals, ...history.inDoubt].map((call) => call.called));
  const problems: string[] = [];
  for (const ofName of byName(history)) {
    const problem = checkName(ofName, origin) ?? checkFinalToken(ofName, finalTokens.get(ofName.name));
    if (problem !== undefined) problems.push(problem);
  }
  return problems.length === 0 ? { ok: true } : { ok: false, explanation: problems.join('\n') };
}

function checkName(history: NameHistory, origin: number): string | undefined {
  const say = (what: string, ...holdings: LeaseHolding[]): string => [`${what}:`, ...holdings.map((holding) => `  ${describeHolding(holding, origin)}`)].join('\n');
  const { holdings } = history;

  const overdue = holdings.find((holding) => holding.endedOnArrival);
  if (overdue !== undefined) return say('acquireLease handed out a lease that had already ended', overdue);

  const held = holdings.filter(wasHeld).sort((a, b) => a.acquired - b.acquired || a.ended - b.ended);
  // The holding that ends last so far: any later start before its end overlaps it.
  let longest: LeaseHolding | undefined;
  for (const holding of held) {
    if (longest !== undefined && holding.acquired < longest.ended) return say('Two holders at once', longest, holding);
    if (longest === undefined || holding.ended > longest.ended) longest = holding;
  }

  for (let index = 1; index < holdings.length; index += 1) {
    const [before, after] = [holdings[index - 1]!, holdings[index]!];
    if (after.token === before.token) return say('Two acquisitions got the same token', before, after);
    if (after.acquired < freeFrom(before, after.called)) {
      return say("A holder got the lease before its predecessor's could be free (neither expired nor released by the store's clock)", before, after);
    }
  }
  for (let index = 1; index < held.length; index += 1) {
    const [before, after] = [held[index - 1]!, held[index]!];
    if (after.token <= before.token) return say('The token did not increase when the lease changed hands', before, after);
  }
  for (const earlier of holdings) {
    const later = holdings.find((holding) => earlier.acquired < holding.called && holding.token <= earlier.token);
    if (later !== undefined) return say('An acquisition called after another returned got a token that is not greater', earlier, later);
  }
  return checkAnswers(history, say) ?? checkRefusals(history, origin);
}

/** Extend and release answers against the holdings that followed. */
function checkAnswers(history: NameHistory, say: (what: string, ...holdings: LeaseHolding[]) => string): string | undefined {
  for (const holding of history.holdings) {
    const successors = history.holdings.filter((other) => other.token > holding.token);
    for (const extension of holding.extensions.filter((call) => call.answer === true)) {
      if (extension.expiresAt !== undefined && extension.returned >= extension.expiresAt) {
        return say('extend answered true after its new expiry had passed', holding);
      }
      const taker = successors.find((successor) => successor.acquired < extension.called);
      if (taker !== undefined) return say('extend answered true although a later holder had taken the lease before it was called', holding, taker);
    }
    const { release } = holding;
    if (release?.answer === true) {
      const taker = successors.find((successor) => successor.acquired < releasedFrom(holding));
      if (taker !== undefined) return say('release answered true although a later holder had taken the lease before it was let go', holding, taker);
    }
    if (release?.answer === false) {
      const taker =
        successors.some((successor) => successor.called < release.returned) ||
        history.inDoubt.some((acquisition) => acquisition.called < release.returned && acquisition.returned > holding.called);
      if (!taker) return say('release answered false although no other acquisition could have taken the lease', holding);
    }
  }
  return undefined;
}

/** Each null came after its waitMs, while another acquisition may have held the lease. */
function checkRefusals(history: NameHistory, origin: number): string | undefined {
  for (const refusal of history.refusals) {
    const call = `client ${refusal.client} called acquireLease('${refusal.name}', { waitMs: ${refusal.waitMs} }) at ${refusal.called - origin} ms`;
    if (refusal.returned - refusal.called < refusal.waitMs - CLOCK_ROUNDING_MS) {
      return `null before waitMs ran out: ${call}, null ${refusal.returned - refusal.called} ms later.`;
    }
    const overlaps = (called: number, until: number): boolean => called <= refusal.returned && until > refusal.called;
    const holder =
      history.holdings.some((holding) => overlaps(holding.called, heldUntil(holding))) ||
      history.inDoubt.some((acquisition) => overlaps(acquisition.called, heldUntilInDoubt(acquisition)));
    if (!holder) return `null while no other acquisition could hold the lease: ${call}, null at ${refusal.returned - origin} ms.`;
  }
  return undefined;
}

function checkFinalToken({ name, holdings }: NameHistory, stored: number | undefined): string | undefined {
  if (stored === undefined || holdings.length === 0) return undefined;
  const highest = Math.max(...holdings.map((holding) => holding.token));
  return stored >= highest ? undefined : `The lease '${name}' ended with token ${stored} stored, below the ${highest} handed out: the token went back.`;
}

function byName(history: LeaseHistory): NameHistory[] {
  const names = new Set([...history.holdings, ...history.refusals, ...history.inDoubt].map((call) => call.name));
  return [...names].map((name) => ({
    name,
    holdings: history.holdings.filter((holding) => holding.name === name).sort((a, b) => a.token - b.token),
    refusals: history.refusals.filter((refusal) => refusal.name === name),
    inDoubt: history.inDoubt.filter((acquisition) => acquisition.name === name),
  }));
}
