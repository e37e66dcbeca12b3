import { jest } from '@jest/globals';
import { untilProcessed } from '../../lib/store/retry/batch-retry.js';

const POLICY = { maxAttempts: 6, baseDelayMs: 10, maxDelayMs: 40, maxElapsedMs: 60_000 };

describe('untilProcessed (the batch retry policy)', () => {
  afterEach(() => jest.restoreAllMocks());

  /** The waits between requests, with the jitter at its top so that they are the policy's ceilings. */
  async function waitsFor(policy: typeof POLICY, leftAfterEach: string[][]): Promise<{ waits: number[]; outcome: unknown; sent: number }> {
    jest.spyOn(Math, 'random').mockReturnValue(1);
    const waits: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    jest.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, ms?: number) => {
      waits.push(ms ?? 0);
      return realSetTimeout(callback, 0);
    }) as typeof setTimeout);
    let sent = 0;
    const outcome = await untilProcessed(['a', 'b', 'c'], async () => leftAfterEach[sent++] ?? [], policy);
    return { waits, outcome, sent };
  }

  it('backs off exponentially between resends, capped, never in a tight loop', async () => {
    const left = [['b', 'c'], ['b', 'c'], ['c'], ['c'], []];
    const { waits, outcome, sent } = await waitsFor(POLICY, left);
    expect(waits).toEqual([10, 20, 40, 40]);
    expect(sent).toBe(5);
    expect(outcome).toEqual({ unprocessed: [], reason: '' });
  });

  it('stops at maxAttempts and returns what is left, with why', async () => {
    const { waits, outcome, sent } = await waitsFor({ ...POLICY, maxAttempts: 3 }, [['c'], ['c'], ['c'], ['c']]);
    expect(sent).toBe(3);
    expect(waits).toHaveLength(2);
    expect(outcome).toEqual({ unprocessed: ['c'], reason: 'still unprocessed after 3 requests' });
  });

  it('stops before a wait would pass maxElapsedMs', async () => {
    const { sent, outcome } = await waitsFor({ ...POLICY, maxElapsedMs: 15 }, [['c'], ['c'], ['c']]);
    // The first wait (10 ms) fits in 15; the second (20 ms) would not: one resend only.
    expect(sent).toBe(2);
    expect(outcome).toMatchObject({ unprocessed: ['c'], reason: expect.stringMatching(/^still unprocessed after 2 requests in \d+ ms$/) });
  });
});
