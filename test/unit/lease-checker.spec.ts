import { checkLeaseHistory } from '../support/linearizability/lease-checker.js';
import type { LeaseCall, LeaseExtension, LeaseHistory, LeaseHolding, LeaseInDoubt, LeaseRefusal } from '../support/linearizability/lease-history.js';

/**
 * A holding of lease 'job' by `client`: token, then [called, acquired, ended] in ms. By default it expires
 * 50 ms after it ended (its safety margin) and was released (answer true) when it ended.
 */
function holding(client: number, token: number, [called, acquired, ended]: [number, number, number], more: Partial<LeaseHolding> = {}): LeaseHolding {
  return {
    client,
    name: 'job',
    token,
    called,
    acquired,
    ended,
    expiresAt: ended + 50,
    endedOnArrival: false,
    extensions: [],
    release: { called: ended, returned: ended + 2, answer: true },
    ...more,
  };
}

/** A holder that never let go (a crash): it ended when its signal aborted, `margin` before `expiresAt`. */
function abandoned(client: number, token: number, [called, acquired]: [number, number], expiresAt: number, more: Partial<LeaseHolding> = {}): LeaseHolding {
  return holding(client, token, [called, acquired, expiresAt - 50], { expiresAt, release: undefined, ...more });
}

const call = (called: number, returned: number, answer: LeaseCall['answer']): LeaseCall => ({ called, returned, answer });
const extension = (called: number, returned: number, answer: LeaseExtension['answer'], ttlMs: number, expiresAt?: number): LeaseExtension => ({
  ...call(called, returned, answer),
  ttlMs,
  ...(expiresAt === undefined ? {} : { expiresAt }),
});
const refusal = (called: number, returned: number, waitMs = 0): LeaseRefusal => ({ client: 9, name: 'job', called, returned, waitMs });
const inDoubt = (called: number, returned: number, ttlMs: number): LeaseInDoubt => ({ client: 8, name: 'job', called, returned, ttlMs });

function history(holdings: LeaseHolding[], more: Partial<LeaseHistory> = {}): LeaseHistory {
  return { holdings, refusals: [], inDoubt: [], ...more };
}

/** The explanation of a history the checker must refuse. */
function refusalOf(checked: LeaseHistory, finalTokens?: Map<string, number>): string {
  const result = checkLeaseHistory(checked, finalTokens);
  if (result.ok) throw new Error('expected the checker to refuse the history');
  return result.explanation;
}

describe('lease history checker', () => {
  describe('holders and tokens', () => {
    it('accepts holders one after another with increasing tokens, each starting when the last one let go', () => {
      const holdings = [holding(1, 1, [0, 5, 100]), holding(2, 2, [50, 100, 180]), holding(3, 3, [90, 200, 260])];
      expect(checkLeaseHistory(history(holdings), new Map([['job', 3]]))).toEqual({ ok: true });
    });

    it('accepts overlapping holdings of different names', () => {
      expect(checkLeaseHistory(history([holding(1, 1, [0, 5, 100]), { ...holding(2, 1, [0, 5, 100]), name: 'other' }]))).toEqual({ ok: true });
    });

    it('refuses a lease handed out already over (its signal aborted on arrival)', () => {
      expect(refusalOf(history([holding(1, 1, [0, 300, 300], { endedOnArrival: true })]))).toContain('already ended');
    });

    it('refuses two holders at once, naming both', () => {
      const explanation = refusalOf(history([holding(1, 1, [0, 5, 100]), holding(2, 2, [10, 99, 150], { release: call(150, 152, true) })]));
      expect(explanation).toContain('Two holders at once');
      expect(explanation).toContain('client 1');
      expect(explanation).toContain('client 2');
    });

    it("refuses a holder whose signal aborted after its successor got the lease at its expiry (a late signal)", () => {
      // Expires at 1000; its signal aborted 100 ms after that; the successor took over at the expiry.
      const late = abandoned(1, 1, [0, 5], 1000, { ended: 1100 });
      expect(refusalOf(history([late, holding(2, 2, [900, 1001, 1200])]))).toContain('Two holders at once');
    });

    it('refuses a holder that starts inside a long earlier holding, past shorter ones', () => {
      const holdings = [holding(1, 1, [0, 0, 1000]), holding(2, 2, [0, 10, 20]), holding(3, 3, [0, 500, 600])];
      expect(refusalOf(history(holdings))).toContain('Two holders at once');
    });

    it('refuses a token that goes down when the lease changes hands', () => {
      expect(refusalOf(history([holding(1, 2, [0, 5, 100]), holding(2, 1, [0, 150, 200])]))).toMatch(/did not increase|before its predecessor/);
    });

    it('refuses a token handed out twice', () => {
      expect(refusalOf(history([holding(1, 1, [0, 5, 100]), holding(2, 1, [0, 150, 200])]))).toContain('same token');
    });

    it('refuses a later acquisition with a lower token', () => {
      const holdings = [holding(1, 5, [0, 5, 100]), holding(2, 4, [120, 300, 350])];
      expect(refusalOf(history(holdings))).toMatch(/called after another returned|did not increase|before its predecessor/);
    });

    it('refuses a stored token below the highest handed out, and no item at all (token 0) after leases were handed out', () => {
      const holdings = [holding(1, 1, [0, 5, 100]), holding(2, 2, [0, 150, 200])];
      expect(refusalOf(history(holdings), new Map([['job', 1]]))).toContain('went back');
      expect(refusalOf(history(holdings), new Map([['job', 0]]))).toContain('went back');
    });
  });

  describe("takeover by the store's clock: never before the predecessor's expiry or release", () => {
    it("accepts a takeover at a crashed holder's expiry", () => {
      expect(checkLeaseHistory(history([abandoned(1, 1, [0, 5], 1000), holding(2, 2, [500, 1000, 1500])]))).toEqual({ ok: true });
    });

    it("refuses a takeover before a crashed holder's expiry, even within its safety margin (its signal had aborted)", () => {
      const explanation = refusalOf(history([abandoned(1, 1, [0, 5], 1000), holding(2, 2, [500, 970, 1500])]));
      expect(explanation).toContain("before its predecessor's could be free");
    });

    it('refuses a takeover between the first expiry and the one an extension that answered true moved it to', () => {
      // (Its signal is made to abort early here, so that only the takeover shows.)
      const extended = abandoned(1, 1, [0, 5], 2000, { expiresAt: 1000, extensions: [extension(400, 410, true, 1590, 2000)], ended: 1400 });
      expect(refusalOf(history([extended, holding(2, 2, [500, 1500, 2500])]))).toContain("before its predecessor's could be free");
    });

    it('accepts a takeover after the earliest expiry an extension in doubt could have written', () => {
      // The extension may have landed (expiry 410 + 500 at the earliest) or not (1000): free from 910, and
      // the holder stops by the earlier of the two (its signal at 860).
      const doubtful = abandoned(1, 1, [0, 5], 1000, { extensions: [extension(410, 420, 'unknown', 500)], ended: 860 });
      expect(checkLeaseHistory(history([doubtful, holding(2, 2, [500, 920, 1500])]))).toEqual({ ok: true });
    });

    it('accepts a takeover after a release call, before the expiry', () => {
      expect(checkLeaseHistory(history([holding(1, 1, [0, 5, 100], { expiresAt: 60_000 }), holding(2, 2, [50, 101, 200])]))).toEqual({ ok: true });
    });
  });

  describe('extend and release answers', () => {
    it('refuses extend true after a later holder had taken the lease', () => {
      const stale = abandoned(1, 1, [0, 5], 1000, { extensions: [extension(1200, 1210, true, 1000, 2210)], ended: 950 });
      expect(refusalOf(history([stale, holding(2, 2, [900, 1001, 1100])]))).toContain('extend answered true although');
    });

    it('refuses extend true answered after its new expiry', () => {
      const late = holding(1, 1, [0, 5, 100], { expiresAt: 1000, extensions: [extension(50, 140, true, 50, 100)] });
      expect(refusalOf(history([late]))).toContain('after its new expiry');
    });

    it('refuses release true after a later holder had taken the lease', () => {
      const stale = abandoned(1, 1, [0, 5], 1000, { release: call(1200, 1210, true) });
      expect(refusalOf(history([stale, holding(2, 2, [900, 1001, 1300])]))).toContain('release answered true although');
    });

    it('accepts release true again after an extension that answered false, which may have freed the lease before a successor', () => {
      const freed = holding(1, 1, [0, 5, 300], { expiresAt: 400, extensions: [extension(300, 310, false, 60_000)], release: call(600, 601, true) });
      expect(checkLeaseHistory(history([freed, holding(2, 2, [305, 320, 700])]))).toEqual({ ok: true });
    });

    it('refuses release false when no other acquisition could have taken the lease, and accepts it when one may have', () => {
      const lonely = holding(1, 1, [0, 5, 100], { release: call(100, 102, false) });
      expect(refusalOf(history([lonely]))).toContain('release answered false');
      expect(checkLeaseHistory(history([lonely], { inDoubt: [inDoubt(50, 90, 1000)] }))).toEqual({ ok: true });
    });
  });

  describe('null answers', () => {
    it('accepts null while another owner holds the lease, or may (an acquisition in doubt)', () => {
      expect(checkLeaseHistory(history([holding(1, 1, [0, 5, 100])], { refusals: [refusal(50, 60)] }))).toEqual({ ok: true });
      expect(checkLeaseHistory(history([], { refusals: [refusal(50, 60)], inDoubt: [inDoubt(0, 40, 500)] }))).toEqual({ ok: true });
    });

    it('refuses null while no other acquisition could hold the lease', () => {
      expect(refusalOf(history([holding(1, 1, [0, 5, 100])], { refusals: [refusal(200, 210)] }))).toContain('null while no other acquisition');
    });

    it('refuses null before waitMs ran out', () => {
      expect(refusalOf(history([holding(1, 1, [0, 5, 1000])], { refusals: [refusal(50, 60, 500)] }))).toContain('null before waitMs ran out');
    });
  });
});
