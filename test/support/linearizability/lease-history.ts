/**
 * A history of lease calls, as the lease checker reads it. Times are the store's clock (epoch
 * milliseconds, `Date.now()` in one process), the clock leases expire by.
 */
export interface LeaseHistory {
  /** One entry per `acquireLease` call that returned a lease. */
  holdings: LeaseHolding[];
  /** `acquireLease` calls that answered null. */
  refusals: LeaseRefusal[];
  /** `acquireLease` calls that ended in KvOutcomeUnknownError: their write may hold the lease (for its TTL). */
  inDoubt: LeaseInDoubt[];
}

/** How a lease call ended: its answer, `'unknown'` (KvOutcomeUnknownError) or `'failed'` (another error: nothing written). */
export type LeaseAnswer = boolean | 'unknown' | 'failed';

export interface LeaseCall {
  called: number;
  returned: number;
  answer: LeaseAnswer;
}

export interface LeaseExtension extends LeaseCall {
  /** The TTL asked for, in milliseconds. */
  ttlMs: number;
  /** `expiresAt` after an extension that answered true. */
  expiresAt?: number;
}

export interface LeaseHolding {
  /** Who held it: a client's number. */
  client: number;
  name: string;
  token: number;
  /** When `acquireLease` was called. */
  called: number;
  /** When it returned the lease: the holder counts on it from here. */
  acquired: number;
  /** `expiresAt` as acquired. */
  expiresAt: number;
  /**
   * When the holder stopped counting on it: its `release` call or its signal's abort, whichever came
   * first; Infinity while neither happened.
   */
  ended: number;
  /** The signal had aborted already when `acquireLease` returned: the lease was over on arrival. */
  endedOnArrival: boolean;
  extensions: LeaseExtension[];
  release?: LeaseCall;
}

export interface LeaseRefusal {
  client: number;
  name: string;
  called: number;
  returned: number;
  waitMs: number;
}

export interface LeaseInDoubt {
  client: number;
  name: string;
  called: number;
  returned: number;
  ttlMs: number;
}

/** Whether a holding lasted any time at all (see {@link LeaseHolding.ended}). */
export function wasHeld(holding: LeaseHolding): boolean {
  return holding.ended > holding.acquired;
}

/** One holding in words, for a violation's explanation. */
export function describeHolding(holding: LeaseHolding, origin = 0): string {
  const at = (time: number): string => (Number.isFinite(time) ? `${time - origin} ms` : 'never');
  const calls = [
    ...holding.extensions.map((extension) => `extend(${extension.ttlMs / 1000}) ${at(extension.called)}-${at(extension.returned)}: ${String(extension.answer)}`),
    ...(holding.release ? [`release ${at(holding.release.called)}-${at(holding.release.returned)}: ${String(holding.release.answer)}`] : []),
  ];
  return (
    `client ${holding.client} held '${holding.name}' with token ${holding.token}: called at ${at(holding.called)}, ` +
    `acquired at ${at(holding.acquired)} (expiring at ${at(holding.expiresAt)}), ended at ${at(holding.ended)}` +
    (calls.length > 0 ? `; ${calls.join(', ')}` : '')
  );
}

/** An empty history, for building one up. */
export function emptyLeaseHistory(): LeaseHistory {
  return { holdings: [], refusals: [], inDoubt: [] };
}
