import {
  BatchIncompleteError,
  KeyNotFoundError,
  KvOutcomeUnknownError,
  KvThrottledError,
  KvUnavailableError,
  type KVStore,
} from '../../lib/index.js';
import { HistoryRecorder } from '../support/linearizability/recorder.js';

/** A store whose calls end as the test says: each method returns (or rejects with) what `answer` gives. */
function storeAnswering(answer: (method: string, args: unknown[]) => Promise<unknown>): KVStore {
  const methods = ['get', 'set', 'delete', 'getMany', 'setMany', 'deleteMany', 'setIfAbsent', 'compareAndSwap'];
  return Object.fromEntries(methods.map((method) => [method, (...args: unknown[]) => answer(method, args)])) as unknown as KVStore;
}

/** A clock that ticks once per reading, so that every call and return has its own time. */
function ticking(): () => number {
  let now = 0;
  return () => (now += 1);
}

const rejectWith = (error: unknown) => () => Promise.reject(error);

describe('HistoryRecorder (what each ending of a store call becomes in the history)', () => {
  it('records a read with its value, a missing key as null, and leaves failed reads out', async () => {
    const endings = [() => Promise.resolve('v'), rejectWith(new KeyNotFoundError('k', 't')), rejectWith(new KvUnavailableError('down'))];
    const recorder = new HistoryRecorder(storeAnswering(() => endings.shift()!()), { now: ticking() });
    await expect(recorder.get(1, 'k')).resolves.toBe('v');
    await expect(recorder.get(1, 'k')).resolves.toBeNull();
    await expect(recorder.get(1, 'k')).resolves.toBeNull();
    expect(recorder.operations).toEqual([
      { client: 1, key: 'k', kind: 'get', output: 'v', call: 1, return: 2, status: 'ok' },
      { client: 1, key: 'k', kind: 'get', output: null, call: 3, return: 4, status: 'ok' },
    ]);
    expect(recorder.failures).toEqual([]);
  });

  it('records writes as done, or unknown; leaves out those that changed nothing, and keeps them aside', async () => {
    const endings = [() => Promise.resolve(undefined), rejectWith(new KvOutcomeUnknownError('maybe')), rejectWith(new KvThrottledError('no'))];
    const recorder = new HistoryRecorder(storeAnswering(() => endings.shift()!()), { now: ticking() });
    await recorder.set(1, 'k', 'a');
    await recorder.set(2, 'k', 'b');
    await recorder.set(3, 'k', 'c');
    expect(recorder.operations).toEqual([
      { client: 1, key: 'k', kind: 'set', input: { value: 'a' }, call: 1, return: 2, status: 'ok' },
      { client: 2, key: 'k', kind: 'set', input: { value: 'b' }, call: 3, return: 4, status: 'unknown' },
    ]);
    expect(recorder.dropped).toEqual([{ client: 3, call: 'set', key: 'k', value: 'c', ending: 'KvThrottledError: no' }]);
    expect(recorder.failures).toEqual([]);
  });

  it('records what conditional writes answered, and no answer when the outcome is unknown', async () => {
    const endings = [() => Promise.resolve(false), () => Promise.resolve(true), rejectWith(new KvOutcomeUnknownError('maybe'))];
    const recorder = new HistoryRecorder(storeAnswering(() => endings.shift()!()), { now: ticking() });
    await recorder.setIfAbsent(1, 'k', 'a');
    await recorder.compareAndSwap(1, 'k', 'x', 'b');
    await recorder.compareAndSwap(1, 'k', 'b', 'c');
    expect(recorder.operations.map(({ kind, status, ...rest }) => [kind, status, 'output' in rest ? rest.output : 'none'])).toEqual([
      ['setIfAbsent', 'ok', false],
      ['compareAndSwap', 'ok', true],
      ['compareAndSwap', 'unknown', undefined],
    ]);
  });

  it('records a batch read as one read per distinct key, a missing key as null', async () => {
    const recorder = new HistoryRecorder(storeAnswering(() => Promise.resolve(new Map([['a', 'va']]))), { now: ticking() });
    await recorder.getMany(1, ['a', 'b', 'a']);
    expect(recorder.operations).toEqual([
      { client: 1, key: 'a', kind: 'get', output: 'va', call: 1, return: 2, status: 'ok', origin: 'getMany' },
      { client: 1, key: 'b', kind: 'get', output: null, call: 1, return: 2, status: 'ok', origin: 'getMany' },
    ]);
  });

  it('records a batch write per key, the last value of a repeated key, by what BatchIncompleteError says of each', async () => {
    const outcome = { writtenKeys: ['a'], unknownKeys: ['b'], unprocessedKeys: ['c'] };
    const recorder = new HistoryRecorder(storeAnswering(() => Promise.reject(new BatchIncompleteError(outcome, 'stopped'))), { now: ticking() });
    await recorder.setMany(1, [
      ['a', 'a1'],
      ['b', 'b1'],
      ['a', 'a2'],
      ['c', 'c1'],
    ]);
    expect(recorder.operations.map((operation) => [operation.key, operation.kind === 'set' && operation.input.value, operation.status])).toEqual([
      ['a', 'a2', 'ok'],
      ['b', 'b1', 'unknown'],
    ]);
    expect(recorder.dropped.map((write) => write.value)).toEqual(['c1']);
    expect(recorder.failures).toEqual([]);
  });

  it('takes a batch write that failed otherwise as unknown for every key (outcome unknown), or as nothing changed', async () => {
    const endings = [rejectWith(new KvOutcomeUnknownError('maybe')), rejectWith(new KvUnavailableError('down'))];
    const recorder = new HistoryRecorder(storeAnswering(() => endings.shift()!()), { now: ticking() });
    await recorder.deleteMany(1, ['a', 'b']);
    await recorder.deleteMany(2, ['a', 'b']);
    expect(recorder.operations.map((operation) => [operation.client, operation.key, operation.status])).toEqual([
      [1, 'a', 'unknown'],
      [1, 'b', 'unknown'],
    ]);
  });

  it.each<[string, () => Promise<unknown>, RegExp]>([
    ['a BatchIncompleteError that leaves a key out', rejectWith(new BatchIncompleteError({ writtenKeys: ['a'], unknownKeys: [], unprocessedKeys: [] }, 'x')), /'b' is in no list/],
    ['a BatchIncompleteError that names a key twice', rejectWith(new BatchIncompleteError({ writtenKeys: ['a', 'b'], unknownKeys: ['b'], unprocessedKeys: [] }, 'x')), /'b' is in two lists/],
    ['an error that is not a KvStoreError', rejectWith(new TypeError('oops')), /TypeError: oops, which is not a KvStoreError/],
  ])('reports %s as a broken contract, and takes the writes as unknown', async (_name, ending, message) => {
    const recorder = new HistoryRecorder(storeAnswering(ending), { now: ticking() });
    await recorder.setMany(1, [
      ['a', 'va'],
      ['b', 'vb'],
    ]);
    expect(recorder.failures).toEqual([expect.stringMatching(message)]);
    expect(recorder.operations.map((operation) => operation.status)).toEqual(['unknown', 'unknown']);
  });

  it('reports a call that does not end as a broken contract, without waiting for it', async () => {
    const recorder = new HistoryRecorder(storeAnswering(() => new Promise(() => undefined)), { watchdogMs: 20 });
    await recorder.set(1, 'k', 'v');
    expect(recorder.failures).toEqual(["set by c1 had not ended 20 ms after it was called."]);
    expect(recorder.operations).toMatchObject([{ kind: 'set', status: 'unknown' }]);
  });
});
