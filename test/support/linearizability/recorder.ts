import {
  BatchIncompleteError,
  KeyNotFoundError,
  KvOutcomeUnknownError,
  KvStoreError,
  NotACounterError,
  type KvReadOptions,
  type KVStore,
} from '../../../lib/index.js';
import type { BatchOrigin, Operation, OperationStatus } from './history.js';

/** How a call ended, as the store said it. */
type Ending<T> = { resolved: true; value: T; call: number; return: number } | { resolved: false; error: unknown; call: number; return: number };

/** A write of one key, before its ending is known. */
type PlannedWrite =
  | { kind: 'set'; key: string; value: string }
  | { kind: 'delete'; key: string }
  | { kind: 'setIfAbsent'; key: string; value: string }
  | { kind: 'compareAndSwap'; key: string; expected: string; next: string }
  | { kind: 'increment'; key: string; delta: number };

/** A write left out of the history because the store said it changed nothing: kept to explain a violation. */
export interface DroppedWrite {
  client: number;
  call: string;
  key: string;
  /** What it would have written (undefined for a delete). */
  value?: string;
  /** How the call ended: the error's name and message. */
  ending: string;
}

export interface RecorderSettings {
  /** Options for every read (the harness reads consistently, so that a linearizable store passes). */
  readOptions?: KvReadOptions;
  /** A call that has not ended after this long is a harness failure (the store promises a bound). Default 10 s. */
  watchdogMs?: number;
  now?: () => number;
}

/**
 * Wraps a store and records each call as operations of a history (history.ts), one per key a call
 * touched, classified by how the call ended, as the store's contract says:
 *  - resolved: 'ok', with what it answered; a read of a missing key (KeyNotFoundError) answered null, and
 *    so did an increment refused as not a counter (NotACounterError: a claim the checker tests too);
 *  - KvOutcomeUnknownError: 'unknown' (the write may or may not have been applied);
 *  - BatchIncompleteError of a write: per key, `writtenKeys` 'ok', `unknownKeys` 'unknown', and
 *    `unprocessedKeys` left out; every key of the call must be in exactly one list;
 *  - any other KvStoreError: the store says nothing changed, so the call is left out (if it lied, a
 *    later read of a value nobody wrote shows it);
 *  - a failed read: left out; it saw nothing.
 * Anything else (an error that is not a KvStoreError, a batch error that loses keys, a call that never
 * ends) breaks the contract itself: it is kept in `failures`, which a test must find empty.
 */
export class HistoryRecorder {
  /** The history so far, in the order calls ended. */
  readonly operations: Operation[] = [];
  /** What broke the store's contract itself (see above); a test must find it empty. */
  readonly failures: string[] = [];
  /** The writes the store said changed nothing, left out of `operations`. */
  readonly dropped: DroppedWrite[] = [];
  private readonly readOptions: KvReadOptions;
  private readonly watchdogMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: KVStore,
    settings: RecorderSettings = {},
  ) {
    this.readOptions = settings.readOptions ?? {};
    this.watchdogMs = settings.watchdogMs ?? 10_000;
    this.now = settings.now ?? (() => performance.now());
  }

  /** {@link failures}, by the name the first harness gave them. */
  get faults(): string[] {
    return this.failures;
  }

  /** What a read answered: the value, or null for a missing key and for a read that failed. */
  async get(client: number, key: string): Promise<string | null> {
    const ending = await this.run(client, 'get', () => this.store.get(key, this.readOptions));
    if (ending.resolved) return this.read(client, key, ending.value, ending);
    if (ending.error instanceof KeyNotFoundError) return this.read(client, key, null, ending);
    this.readFailed(client, 'get', ending.error);
    return null;
  }

  /** What the batch read answered per key (null: missing), or undefined when it failed. */
  async getMany(client: number, keys: readonly string[]): Promise<Map<string, string | null> | undefined> {
    const ending = await this.run(client, 'getMany', () => this.store.getMany(keys, this.readOptions));
    if (!ending.resolved) {
      // A partial getMany could be recorded key by key; the whole call is left out, which is simpler and as sound.
      this.readFailed(client, 'getMany', ending.error);
      return undefined;
    }
    const answers = new Map<string, string | null>();
    for (const key of new Set(keys)) answers.set(key, this.read(client, key, ending.value.get(key) ?? null, ending, 'getMany'));
    for (const key of ending.value.keys()) {
      if (!answers.has(key)) this.failures.push(`getMany by c${client} answered key '${key}', which it was not asked for.`);
    }
    return answers;
  }

  set(client: number, key: string, value: string): Promise<void> {
    return this.write(client, { kind: 'set', key, value }, () => this.store.set(key, value));
  }

  delete(client: number, key: string): Promise<void> {
    return this.write(client, { kind: 'delete', key }, () => this.store.delete(key));
  }

  setIfAbsent(client: number, key: string, value: string): Promise<void> {
    return this.write(client, { kind: 'setIfAbsent', key, value }, () => this.store.setIfAbsent(key, value));
  }

  compareAndSwap(client: number, key: string, expected: string, next: string): Promise<void> {
    return this.write(client, { kind: 'compareAndSwap', key, expected, next }, () => this.store.compareAndSwap(key, expected, next));
  }

  /** The new count, as the store answered it (or nothing when it did not). */
  async increment(client: number, key: string, delta: number): Promise<number | undefined> {
    const ending = await this.run(client, 'increment', () => this.store.increment(key, delta));
    const write: PlannedWrite = { kind: 'increment', key, delta };
    if (ending.resolved) {
      this.push(client, write, ending, 'ok', ending.value);
      return typeof ending.value === 'number' ? ending.value : undefined;
    }
    if (ending.error instanceof NotACounterError) this.push(client, write, ending, 'ok', null);
    else await this.write(client, write, () => Promise.reject(ending.error), ending);
    return undefined;
  }

  /** Entries as given; for a repeated key the last one is what the store writes. */
  setMany(client: number, entries: ReadonlyArray<readonly [string, string]>): Promise<void> {
    const latest = new Map(entries);
    const writes = [...latest].map(([key, value]): PlannedWrite => ({ kind: 'set', key, value }));
    return this.batchWrite(client, 'setMany', writes, () => this.store.setMany(entries));
  }

  deleteMany(client: number, keys: readonly string[]): Promise<void> {
    const writes = [...new Set(keys)].map((key): PlannedWrite => ({ kind: 'delete', key }));
    return this.batchWrite(client, 'deleteMany', writes, () => this.store.deleteMany(keys));
  }

  private read(client: number, key: string, output: string | null, ending: Ending<unknown>, origin?: BatchOrigin): string | null {
    this.operations.push({ client, key, kind: 'get', output, call: ending.call, return: ending.return, status: 'ok', ...(origin && { origin }) });
    return output;
  }

  private readFailed(client: number, call: string, error: unknown): void {
    if (!(error instanceof KvStoreError)) this.failures.push(`${call} by c${client} failed with ${describe(error)}, which is not a KvStoreError.`);
  }

  /** Records a lone write by how it ended (`ended` when the caller already ran it). */
  private async write(client: number, write: PlannedWrite, call: () => Promise<unknown>, ended?: Ending<unknown>): Promise<void> {
    const ending = ended ?? (await this.run(client, write.kind, call));
    if (ending.resolved) {
      this.push(client, write, ending, 'ok', ending.value);
      return;
    }
    const { error } = ending;
    if (error instanceof BatchIncompleteError) {
      // A lone write may be answered for its batch: its key's list says what happened to it.
      const status = this.batchStatuses(client, write.kind, [write.key], error).get(write.key);
      if (status !== undefined) this.push(client, write, ending, status);
      else this.drop(client, write.kind, write, error);
    } else if (error instanceof KvOutcomeUnknownError) {
      this.push(client, write, ending, 'unknown');
    } else if (!(error instanceof KvStoreError)) {
      this.failures.push(`${write.kind} by c${client} failed with ${describe(error)}, which is not a KvStoreError.`);
      this.push(client, write, ending, 'unknown');
    } else {
      this.drop(client, write.kind, write, error);
    }
  }

  private async batchWrite(client: number, origin: BatchOrigin, writes: PlannedWrite[], call: () => Promise<unknown>): Promise<void> {
    const ending = await this.run(client, origin, call);
    if (ending.resolved) {
      for (const write of writes) this.push(client, write, ending, 'ok', undefined, origin);
      return;
    }
    const { error } = ending;
    let statuses: Map<string, OperationStatus | undefined>;
    if (error instanceof BatchIncompleteError) {
      statuses = this.batchStatuses(client, origin, writes.map((write) => write.key), error);
    } else if (error instanceof KvOutcomeUnknownError || !(error instanceof KvStoreError)) {
      if (!(error instanceof KvStoreError)) this.failures.push(`${origin} by c${client} failed with ${describe(error)}, which is not a KvStoreError.`);
      statuses = new Map(writes.map((write) => [write.key, 'unknown']));
    } else {
      statuses = new Map();
    }
    for (const write of writes) {
      const status = statuses.get(write.key);
      if (status !== undefined) this.push(client, write, ending, status, undefined, origin);
      else this.drop(client, origin, write, error);
    }
  }

  /**
   * Each key's status from a BatchIncompleteError: written 'ok', unknown 'unknown', unprocessed left out
   * (undefined). A key in no list or in two, or a list naming a key not written, is a broken contract:
   * recorded as a failure, and the keys taken as unknown so that the checker is not misled too.
   */
  private batchStatuses(client: number, call: string, keys: string[], error: BatchIncompleteError): Map<string, OperationStatus | undefined> {
    const lists: Array<[string, readonly string[] | undefined, OperationStatus | undefined]> = [
      ['writtenKeys', error.writtenKeys, 'ok'],
      ['unknownKeys', error.unknownKeys, 'unknown'],
      ['unprocessedKeys', error.unprocessedKeys, undefined],
    ];
    const statuses = new Map<string, OperationStatus | undefined>();
    const problems: string[] = [];
    for (const [name, list, status] of lists) {
      if (!Array.isArray(list)) {
        problems.push(`it has no ${name} list`);
        continue;
      }
      for (const key of list) {
        if (!keys.includes(key)) problems.push(`${name} names '${key}', which the call did not write`);
        else if (statuses.has(key)) problems.push(`'${key}' is in two lists`);
        else statuses.set(key, status);
      }
    }
    for (const key of keys) if (!statuses.has(key)) problems.push(`'${key}' is in no list`);
    if (problems.length === 0) return statuses;
    this.failures.push(`${call} by c${client} failed with a BatchIncompleteError that does not account for its keys: ${problems.join('; ')}.`);
    return new Map(keys.map((key) => [key, 'unknown']));
  }

  private drop(client: number, call: string, write: PlannedWrite, error: unknown): void {
    const value = write.kind === 'delete' || write.kind === 'increment' ? undefined : write.kind === 'compareAndSwap' ? write.next : write.value;
    this.dropped.push({ client, call, key: write.key, value, ending: describe(error) });
  }

  private push(client: number, write: PlannedWrite, ending: Ending<unknown>, status: OperationStatus, answer?: unknown, origin?: BatchOrigin): void {
    const base = { client, key: write.key, call: ending.call, return: ending.return, status, ...(origin && { origin }) };
    const answered = status === 'ok' ? this.conditionAnswer(client, write, answer) : undefined;
    switch (write.kind) {
      case 'set':
        this.operations.push({ ...base, kind: 'set', input: { value: write.value } });
        return;
      case 'delete':
        this.operations.push({ ...base, kind: 'delete' });
        return;
      case 'setIfAbsent':
        this.operations.push({ ...base, kind: 'setIfAbsent', input: { value: write.value }, output: answered });
        return;
      case 'compareAndSwap':
        this.operations.push({ ...base, kind: 'compareAndSwap', input: { expected: write.expected, next: write.next }, output: answered });
        return;
      case 'increment':
        this.operations.push({ ...base, kind: 'increment', input: { delta: write.delta }, output: status === 'ok' ? this.countAnswer(client, answer) : undefined });
        return;
    }
  }

  /** A conditional write's answer, which must be a boolean. */
  private conditionAnswer(client: number, write: PlannedWrite, answer: unknown): boolean | undefined {
    if (write.kind !== 'setIfAbsent' && write.kind !== 'compareAndSwap') return undefined;
    if (typeof answer === 'boolean') return answer;
    this.failures.push(`${write.kind} by c${client} resolved ${describe(answer)}, not a boolean.`);
    return undefined;
  }

  /** An increment's answer: a safe integer, or null for a refusal as not a counter. */
  private countAnswer(client: number, answer: unknown): number | null | undefined {
    if (answer === null || (typeof answer === 'number' && Number.isSafeInteger(answer))) return answer;
    this.failures.push(`increment by c${client} resolved ${describe(answer)}, not a whole number.`);
    return undefined;
  }

  /** Runs a call with its times, and a watchdog: a call that never ends is a failure, not a hung test. */
  private async run<T>(client: number, name: string, call: () => Promise<T>): Promise<Ending<T>> {
    const started = this.now();
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.watchdogMs)));
    const outcome = call().then(
      (value) => ({ resolved: true as const, value }),
      (error: unknown) => ({ resolved: false as const, error }),
    );
    const first = await Promise.race([outcome, watchdog]);
    clearTimeout(timer);
    if (first === 'late') {
      this.failures.push(`${name} by c${client} had not ended ${this.watchdogMs} ms after it was called.`);
      // Taken as an unknown outcome: it may still land.
      return { resolved: false, error: new KvOutcomeUnknownError('the recorder stopped waiting'), call: started, return: this.now() };
    }
    return { ...first, call: started, return: this.now() };
  }
}

function describe(thing: unknown): string {
  if (thing instanceof Error) return `${thing.name}: ${thing.message}`;
  return typeof thing === 'string' ? `'${thing}'` : String(thing);
}
