import { KvOutcomeUnknownError } from '../../contract/kv-store.errors.js';
import type { CallBound } from './call-bound.js';
import type { LeaseItem } from './lease-item.js';
import type { LeasePlace } from './lease-options.js';
import { encodeLease, type LeaseRecord, type StoredLease } from './lease-record.js';

/** Attempts before an unsettled rewrite is reported as unknown: each one after the first follows an unknown outcome. */
const MAX_ATTEMPTS = 3;

/** What the bound's end means for a rewrite with no write in doubt. */
const NOTHING_WRITTEN = 'nothing of it was written; the lease keeps its last known expiry.';

/** `written`: the item now holds `stored`. Otherwise it holds `seen` (another owner's, or nothing), and nothing of this call can land. */
export type OwnRewrite = { written: true; stored: StoredLease } | { written: false; seen: StoredLease | undefined };

/**
 * Moves the item from this acquisition's value (`from`) to `change(from)`, by compareAndSwap, within
 * `bound`. A write whose outcome is unknown is settled by reading the item: it holds the new value
 * (written), still this acquisition's (an earlier write landed, or none did: try again from what is
 * there), or another value (every value is unique, so a write that expected ours can no longer land: not
 * written). When neither a write nor a read settles it before the bound or the attempts run out,
 * `KvOutcomeUnknownError` names the lease operation.
 */
export async function rewriteOwn(
  item: LeaseItem,
  from: StoredLease,
  change: (current: LeaseRecord) => LeaseRecord,
  place: LeasePlace,
  bound: CallBound,
): Promise<OwnRewrite> {
  let current = from;
  let unsettled: KvOutcomeUnknownError | undefined;
  /** The error that ends the call: the bound's when it ended it, and unknown while a write is in doubt. */
  const ending = (error: unknown): unknown => {
    const cause = bound.ended && !(error instanceof KvOutcomeUnknownError) ? bound.stopError(place, NOTHING_WRITTEN) : error;
    return unsettled === undefined ? cause : unknownOutcome(place, cause);
  };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    if (bound.ended) throw ending(undefined);
    const next = change(current.record);
    const raw = encodeLease(next);
    let wrote = false;
    try {
      wrote = await item.write(current.raw, raw, bound.signal);
    } catch (error) {
      if (!(error instanceof KvOutcomeUnknownError)) throw ending(error);
      unsettled = error;
    }
    if (wrote) return { written: true, stored: { raw, record: next } };
    let seen: StoredLease | undefined;
    try {
      seen = await item.read(place, bound.signal);
    } catch (error) {
      throw ending(error);
    }
    if (seen?.raw === raw) return { written: true, stored: seen };
    if (seen === undefined || seen.record.acquisition !== from.record.acquisition) return { written: false, seen };
    // This acquisition's own value: a release that already landed is done; anything else is tried again from it.
    if (seen.record.released === true) return next.released === true ? { written: true, stored: seen } : { written: false, seen };
    current = seen;
  }
  throw unknownOutcome(place, unsettled);
}

function unknownOutcome(place: LeasePlace, cause: unknown): KvOutcomeUnknownError {
  return new KvOutcomeUnknownError(
    `The ${place.operation} on table '${place.table}' could not learn whether its write to the lease was applied: ` +
      'the lease keeps its last known expiry, and the write may still land. Call it again to settle it.',
    { ...place, cause },
  );
}
