import type { LeaseHolding, LeaseInDoubt } from './lease-history.js';

/** A write a holding left in the lease's item, or may have: the expiry it carried, exactly or within bounds. */
interface ItemWrite {
  returned: number;
  /** Known to have landed (its call said so); otherwise it may have. */
  surely: boolean;
  earliest: number;
  latest: number;
}

/**
 * The writes of a holding's calls that carry an expiry: its acquisition, then its extensions in call
 * order (an extension that did not answer true may have landed: its expiry is `ttl` after a moment of the
 * call). Extensions that failed wrote nothing.
 */
function writesOf(holding: LeaseHolding): ItemWrite[] {
  const acquired = { returned: holding.acquired, surely: true, earliest: holding.expiresAt, latest: holding.expiresAt };
  const extended = holding.extensions.flatMap((extension): ItemWrite[] => {
    if (extension.answer === 'failed') return [];
    if (extension.answer === true && extension.expiresAt !== undefined) {
      return [{ returned: extension.returned, surely: true, earliest: extension.expiresAt, latest: extension.expiresAt }];
    }
    return [{ returned: extension.returned, surely: false, earliest: extension.called + extension.ttlMs, latest: extension.returned + extension.ttlMs }];
  });
  return [acquired, ...extended];
}

/**
 * Moments from which the holding's item may be released: its release call, and each extension that
 * answered false (one that landed after the lease ended here frees the item again).
 */
function mayReleaseFrom(holding: LeaseHolding): number[] {
  const extensions = holding.extensions.filter((extension) => extension.answer === false).map((extension) => extension.called);
  return holding.release === undefined ? extensions : [holding.release.called, ...extensions];
}

/**
 * The earliest moment another owner that starts reading at `from` may find this holding's lease free:
 * the earliest expiry the item can hold by then (a write known to have landed before `from` hides the
 * ones before it: writes of one holding replace each other in call order, by compare-and-swap), or a
 * release of it.
 */
export function freeFrom(holding: LeaseHolding, from: number): number {
  const writes = writesOf(holding);
  let last = 0;
  writes.forEach((write, index) => {
    if (write.surely && write.returned <= from) last = index;
  });
  return Math.min(...writes.slice(last).map((write) => write.earliest), ...mayReleaseFrom(holding));
}

/** The earliest moment the holding's item may have been released, by its own calls. */
export function releasedFrom(holding: LeaseHolding): number {
  return Math.min(...mayReleaseFrom(holding));
}

/** The latest moment a reader may find this holding's lease held: a release seen applied, or the latest expiry it may have written. */
export function heldUntil(holding: LeaseHolding): number {
  const expiry = Math.max(...writesOf(holding).map((write) => write.latest));
  return holding.release?.answer === true ? Math.min(expiry, holding.release.returned) : expiry;
}

/** The same for an acquisition in doubt: its write, if it landed, carried an expiry a TTL after a moment of the call. */
export function heldUntilInDoubt(acquisition: LeaseInDoubt): number {
  return acquisition.returned + acquisition.ttlMs;
}
