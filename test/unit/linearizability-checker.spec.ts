import { bruteForceLinearizable } from '../support/linearizability/brute-force-check.js';
import { checkLinearizable, type CheckResult } from '../support/linearizability/checker.js';
import type { GetOperation, Operation } from '../support/linearizability/history.js';
import { searchLinearization } from '../support/linearizability/key-search.js';
import { ANY_VALUE, INITIAL_STATE } from '../support/linearizability/kv-model.js';
import { simulatedHistory } from '../support/linearizability/simulated-history.js';
import { windowOf } from '../support/linearizability/violation-window.js';
import { SeededRandom } from '../support/seeded-random.js';

/** When an operation ran: [call, return] in ms, or [call, 'unknown'] for an outcome the caller never learnt. */
type Span = [number, number | 'unknown'];

function timing(span: Span): Pick<Operation, 'call' | 'return' | 'status'> {
  const [call, end] = span;
  return end === 'unknown' ? { call, return: call + 1, status: 'unknown' } : { call, return: end, status: 'ok' };
}

// Hand-made histories on key 'k' unless told: client, what the call saw, when it ran.
const get = (client: number, output: string | null, span: Span, key = 'k'): Operation => ({ client, key, kind: 'get', output, ...timing(span) });
const set = (client: number, value: string, span: Span, key = 'k'): Operation => ({ client, key, kind: 'set', input: { value }, ...timing(span) });
const del = (client: number, span: Span, key = 'k'): Operation => ({ client, key, kind: 'delete', ...timing(span) });
const setIfAbsent = (client: number, value: string, output: boolean | undefined, span: Span): Operation => ({
  client,
  key: 'k',
  kind: 'setIfAbsent',
  input: { value },
  output,
  ...timing(span),
});
const cas = (client: number, expected: string, next: string, output: boolean | undefined, span: Span): Operation => ({
  client,
  key: 'k',
  kind: 'compareAndSwap',
  input: { expected, next },
  output,
  ...timing(span),
});

const inc = (client: number, delta: number, output: number | null | undefined, span: Span): Operation => ({
  client,
  key: 'k',
  kind: 'increment',
  input: { delta },
  output,
  ...timing(span),
});

function expectViolation(result: CheckResult): Extract<CheckResult, { ok: false }> {
  if (result.ok) throw new Error('The checker accepted a history that is not linearizable.');
  expect(result.verdict).toBe('violation');
  return result;
}

describe('checkLinearizable (Wing-Gong search with memoization, per key)', () => {
  describe('accepts', () => {
    it.each<[string, Operation[]]>([
      ['an empty history', []],
      ['sequential writes and reads', [set(1, 'a', [0, 1]), get(2, 'a', [2, 3]), del(1, [4, 5]), get(2, null, [6, 7])]],
      ['a read concurrent with a write, seeing the old value', [set(1, 'a', [0, 1]), set(1, 'b', [2, 6]), get(2, 'a', [3, 4])]],
      ['a read concurrent with a write, seeing the new value', [set(1, 'a', [0, 1]), set(1, 'b', [2, 6]), get(2, 'b', [3, 4])]],
      ['setIfAbsent that wrote on a missing key, and one that did not', [setIfAbsent(1, 'a', true, [0, 1]), setIfAbsent(2, 'b', false, [2, 3]), get(3, 'a', [4, 5])]],
      ['compareAndSwap that matched, and one that did not', [set(1, '1', [0, 1]), cas(2, '1', '2', true, [2, 3]), cas(3, '1', '3', false, [4, 5]), get(1, '2', [6, 7])]],
      ['two compareAndSwap racing from the same value: one wins', [set(1, '1', [0, 1]), cas(2, '1', '2', false, [2, 5]), cas(3, '1', '3', true, [2, 5]), get(1, '3', [6, 7])]],
      // (d) An unknown outcome may have taken effect...
      ['a set with an unknown outcome whose value is read later', [set(1, 'a', [0, 1]), set(2, 'b', [2, 'unknown']), get(3, 'b', [10, 11])]],
      // ... or not.
      ['a set with an unknown outcome whose value is never read', [set(1, 'a', [0, 1]), set(2, 'b', [2, 'unknown']), get(3, 'a', [10, 11]), get(3, 'a', [12, 13])]],
      ['an unknown compareAndSwap that was applied', [set(1, '1', [0, 1]), cas(2, '1', '2', undefined, [2, 'unknown']), get(3, '2', [10, 11])]],
      ['an unknown setIfAbsent that was applied', [setIfAbsent(2, 'a', undefined, [2, 'unknown']), get(3, 'a', [10, 11]), setIfAbsent(3, 'b', false, [12, 13])]],
      // (f) An unknown write may take effect late: after a later call of its own client.
      ['an unknown write taking effect after its client made another call', [set(1, 'a', [0, 'unknown']), get(1, null, [2, 3]), get(2, 'a', [4, 5])]],
      ['increments that count from a missing key, read as decimal strings', [inc(1, 1, 1, [0, 1]), inc(2, 5, 6, [2, 3]), get(3, '6', [4, 5])]],
      ['concurrent increments, each counted once', [inc(1, 1, 2, [0, 5]), inc(2, 1, 1, [0, 5]), get(3, '2', [6, 7])]],
      ['an increment refused on a string value', [set(1, 'a', [0, 1]), inc(2, 1, null, [2, 3]), get(3, 'a', [4, 5])]],
      ['an increment after a delete starting again', [inc(1, 3, 3, [0, 1]), del(1, [2, 3]), inc(2, 1, 1, [4, 5])]],
      ['an unknown increment that was applied', [inc(1, 1, 1, [0, 1]), inc(2, 1, undefined, [2, 'unknown']), inc(3, 1, 3, [10, 11])]],
      ['an unknown increment that was not applied', [inc(1, 1, 1, [0, 1]), inc(2, 1, undefined, [2, 'unknown']), inc(3, 1, 2, [10, 11])]],
      ['independent keys', [set(1, 'a', [0, 1], 'x'), set(1, 'b', [0, 1], 'y'), get(2, 'b', [2, 3], 'y'), get(2, 'a', [2, 3], 'x')]],
    ])('%s', (_name, history) => {
      expect(checkLinearizable(history)).toMatchObject({ ok: true, verdict: 'linearizable' });
    });
  });

  describe('rejects', () => {
    it.each<[string, Operation[]]>([
      // (a) The swap answered false, yet it was applied.
      ['compareAndSwap that answered false although its value was written', [set(1, '1', [0, 1]), cas(2, '1', '2', false, [2, 3]), get(3, '2', [4, 5])]],
      // (b) setIfAbsent answered false on a missing key, yet it wrote.
      ['setIfAbsent that answered false on a missing key and wrote', [setIfAbsent(1, 'a', false, [0, 1]), get(2, 'a', [2, 3])]],
      ['setIfAbsent that answered false on a key nobody wrote', [setIfAbsent(1, 'a', false, [0, 1])]],
      // (c) A set that "changed nothing" is not in the history: what it wrote has no writer.
      ['a read of a value no recorded call wrote', [set(1, 'a', [0, 1]), get(2, 'ghost', [2, 3])]],
      // (e) A read older than a write that had finished before it was called.
      ['a stale read', [set(1, 'a', [0, 1]), set(1, 'b', [2, 3]), get(2, 'a', [4, 5])]],
      ['a read of a deleted value', [set(1, 'a', [0, 1]), del(1, [2, 3]), get(2, 'a', [4, 5])]],
      // (f) A completed write cannot take effect after a later call of its client started.
      ['a completed write taking effect after its client made another call', [set(1, 'a', [0, 1]), get(1, null, [2, 3]), get(2, 'a', [4, 5])]],
      ['a lost write (the final read sees the value before it)', [set(1, 'a', [0, 1]), set(2, 'b', [2, 3]), get(-1, 'a', [10, 11])]],
      ['an unknown compareAndSwap whose condition never held, read as applied', [set(1, '1', [0, 1]), cas(2, '9', '2', undefined, [2, 'unknown']), get(3, '2', [10, 11])]],
      ['an unknown write read before it was called', [get(2, 'a', [0, 1]), set(1, 'a', [2, 'unknown'])]],
      ['an increment counted twice', [inc(1, 1, 1, [0, 1]), inc(2, 1, 3, [2, 3])]],
      ['an increment that answered a count it never made', [inc(1, 2, 2, [0, 1]), get(2, '3', [2, 3])]],
      ['an increment refused as not a counter on a missing key', [inc(1, 1, null, [0, 1])]],
      ['an increment refused as not a counter on a counter', [inc(1, 1, 1, [0, 1]), inc(2, 1, null, [2, 3])]],
      ['a counter read as its old count after an increment had ended', [inc(1, 1, 1, [0, 1]), inc(1, 1, 2, [2, 3]), get(2, '1', [4, 5])]],
      ['reads that see two writes in opposite orders', [set(1, 'a', [0, 10]), set(2, 'b', [0, 10]), get(3, 'a', [11, 12]), get(4, 'b', [13, 14]), get(3, 'a', [15, 16])]],
    ])('%s', (_name, history) => {
      expectViolation(checkLinearizable(history));
    });

    it('names the key that fails, among keys that do not', () => {
      const history = [set(1, 'a', [0, 1], 'x'), get(2, 'a', [2, 3], 'x'), set(1, 'b', [0, 1], 'y'), get(2, 'stale', [2, 3], 'y')];
      expect(expectViolation(checkLinearizable(history)).key).toBe('y');
    });
  });

  it('prints the smallest failing part of the history it finds, readably, with why it fails', () => {
    const before = [set(1, 'a', [0, 1]), get(2, 'a', [2, 3]), set(3, 'b', [4, 5]), get(2, 'b', [6, 7])];
    const stale = get(4, 'a', [8, 9]);
    const after = Array.from({ length: 20 }, (_, index) => [set(5, `v${index}`, [20 + 4 * index, 21 + 4 * index]), get(6, `v${index}`, [22 + 4 * index, 23 + 4 * index])]).flat();
    const result = expectViolation(checkLinearizable([...before, stale, ...after]));

    // Nothing after the stale read, and no read that is not needed to show it.
    expect(result.ops).toEqual([set(1, 'a', [0, 1]), set(3, 'b', [4, 5]), stale]);
    expect(result.explanation).toBe(
      [
        "The history of key 'k' is not linearizable: no order of its operations, each taking effect once between its call and " +
          'its return (or at any time after its call, or never, for an unknown outcome), explains what the callers saw.',
        '3 of the 45 operations recorded on this key already show it:',
        '  client  call  return  operation',
        "  c1       0.0     1.0  set('a')",
        "  c3       4.0     5.0  set('b')",
        "  c4       8.0     9.0  get() → 'a'",
        'The longest order that fits takes 2 of their 3 completed operations:',
        "    1. c1 set('a')",
        "    2. c3 set('b')",
        "  which leaves the key 'b'. Then one of these had to come next, and none fits (or each leads to a dead end):",
        "    c4 get() → 'a'   (the key would answer 'b')",
      ].join('\n'),
    );
  });

  it('marks unknown outcomes and batch calls in the printed history', () => {
    const fromBatch: Operation = { ...set(2, 'b', [2, 'unknown']), origin: 'setMany' };
    const result = expectViolation(checkLinearizable([set(1, 'a', [0, 1]), fromBatch, get(3, 'ghost', [10, 11])]));
    expect(result.explanation).toContain("  c2       2.0       ?  set('b') → ?  [setMany]  (outcome unknown)");
  });

  it('answers inconclusive, distinctly, when the search passes its step bound', () => {
    const history = simulatedHistory({ seed: 7, clients: 16, operationsPerClient: 10, keys: 1, unknownRate: 0.2 });
    const result = checkLinearizable(history, { maxSteps: 10 });
    expect(result).toMatchObject({ ok: false, verdict: 'inconclusive', key: 'k0' });
    expect(result.ok === false && result.explanation).toMatch(/^The check of key 'k0' gave up after 11 search steps, undecided/);
  });

  describe('against a brute-force check of every order, on small random histories', () => {
    /** A one-key history of a few overlapping operations on three values, some outcomes unknown, answers at random. */
    function smallHistory(seed: number): Operation[] {
      const random = new SeededRandom(seed);
      const values = ['a', 'b', 'c'];
      return Array.from({ length: random.int(1, 7) }, (_, client): Operation => {
        const call = random.int(0, 10);
        const span: Span = [call, random.chance(0.25) ? 'unknown' : call + random.int(0, 6)];
        const answer = span[1] === 'unknown' ? undefined : random.chance(0.5);
        switch (random.int(0, 5)) {
          case 5:
            return inc(client, random.int(-1, 2), span[1] === 'unknown' ? undefined : random.pick([null, 0, 1, 2, 3]), span);
          case 0:
            return get(client, random.chance(0.3) ? null : random.pick(values), [call, call + random.int(0, 6)]);
          case 1:
            return set(client, random.pick(values), span);
          case 2:
            return del(client, span);
          case 3:
            return setIfAbsent(client, random.pick(values), answer, span);
          default:
            return cas(client, random.pick(values), random.pick(values), answer, span);
        }
      });
    }
    const histories = Array.from({ length: 3_000 }, (_, seed) => smallHistory(seed));

    it('agrees on every one (about half are not linearizable)', () => {
      const disagreements = histories.filter((history) => (searchLinearization(history, 1e6).verdict === 'linearizable') !== bruteForceLinearizable(history, INITIAL_STATE));
      expect(disagreements).toEqual([]);
      expect(histories.filter((history) => !bruteForceLinearizable(history, INITIAL_STATE)).length).toBeGreaterThan(1_000);
    });

    it('finds a violation in a window cut from the middle only when the whole history has one', () => {
      const random = new SeededRandom(1);
      for (const history of histories) {
        const from = random.int(0, 12);
        const window = windowOf(history, from, from + random.int(0, 10));
        if (searchLinearization(window, 1e6, ANY_VALUE).verdict === 'violation') expect(bruteForceLinearizable(history, INITIAL_STATE)).toBe(false);
      }
    });
  });

  describe('on histories the size of the harness (64 clients × 20 operations over 4 keys)', () => {
    const histories = [1, 2, 3, 4, 5].map((seed) => simulatedHistory({ seed, clients: 64, operationsPerClient: 20, keys: 4, unknownRate: 0.1 }));

    it('accepts linearizable ones, quickly', () => {
      const started = performance.now();
      for (const history of histories) expect(checkLinearizable(history)).toMatchObject({ ok: true });
      expect(performance.now() - started).toBeLessThan(10_000);
    });

    it('rejects them with one read changed to an older value, quickly, showing a short part', () => {
      const started = performance.now();
      for (const history of histories) {
        const reads = history.filter((operation): operation is GetOperation => operation.kind === 'get' && operation.status === 'ok');
        const changed = reads[Math.floor(reads.length / 2)]!;
        // c0's first value: long overwritten by the middle of the history.
        const corrupted = history.map((operation) => (operation === changed ? { ...changed, output: 'c0-o0' } : operation));
        const result = expectViolation(checkLinearizable(corrupted));
        expect(result.key).toBe(changed.key);
        expect(result.ops.length).toBeLessThan(200);
      }
      expect(performance.now() - started).toBeLessThan(30_000);
    });
  });

  describe('on histories with counters (16 clients × 20 operations over 2 keys, a third of them increments)', () => {
    const histories = [1, 2, 3, 4, 5].map((seed) =>
      simulatedHistory({ seed, clients: 16, operationsPerClient: 20, keys: 2, unknownRate: 0.1, incrementShare: 0.3 }),
    );

    it('accepts linearizable ones', () => {
      for (const history of histories) expect(checkLinearizable(history)).toMatchObject({ ok: true });
    });

    it('rejects them with one increment answering a count no order of the calls reaches', () => {
      for (const history of histories) {
        const counted = history.filter((operation) => operation.kind === 'increment' && operation.status === 'ok' && typeof operation.output === 'number');
        const changed = counted[Math.floor(counted.length / 2)]!;
        const corrupted = history.map((operation) =>
          operation === changed && operation.kind === 'increment' ? { ...operation, output: (operation.output as number) + 1_000 } : operation,
        );
        expect(expectViolation(checkLinearizable(corrupted)).key).toBe(changed.key);
      }
    });
  });
});
