import { jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Cron, CronExpression, Interval, ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { getKvStoreToken, type KvLease } from '../../lib/index.js';
import { KvExclusive } from '../../lib/coordination/exclusive/kv-exclusive.decorator.js';
import { currentKvLease } from '../../lib/coordination/exclusive/exclusive-lease.context.js';
import { KvExclusiveOptionsError, NotInExclusiveRunError } from '../../lib/coordination/exclusive/kv-exclusive.errors.js';
import { DynamoKvTestingModule, InMemoryKvStore } from '../../lib/testing/index.js';
import { useFixture } from '../support/fixture.js';
import { LogCapture } from '../support/log-capture.js';

/** A promise the test settles by hand: a method awaiting it runs for as long as the test wants. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

@Injectable()
class Jobs {
  runs = 0;
  leases: KvLease[] = [];
  /** `slow` waits on it while the test moves the clock. */
  slowGate = gate();

  @KvExclusive('quick', { ttlSeconds: 3, holdAtLeastSeconds: 0 })
  async quick(): Promise<number | undefined> {
    this.runs += 1;
    return currentKvLease().token;
  }

  @KvExclusive('failing', { ttlSeconds: 3, holdAtLeastSeconds: 0 })
  async failing(): Promise<void> {
    this.runs += 1;
    throw new Error('the job failed');
  }

  @KvExclusive('slow', { ttlSeconds: 3, holdAtLeastSeconds: 0 })
  async slow(): Promise<void> {
    this.runs += 1;
    this.leases.push(currentKvLease());
    await this.slowGate.opened;
  }

  @KvExclusive('held', { ttlSeconds: 10, holdAtLeastSeconds: 2 })
  async held(): Promise<void> {
    this.runs += 1;
  }

  @KvExclusive('lingering', { ttlSeconds: 3, holdAtLeastSeconds: 2.5 })
  async lingering(): Promise<void> {
    this.runs += 1;
  }

  @KvExclusive('elsewhere', { ttlSeconds: 3, holdAtLeastSeconds: 0, store: 'other' })
  async elsewhere(): Promise<void> {
    this.runs += 1;
  }
}

describe('@KvExclusive on a provider, over InMemoryKvStore', () => {
  // Real timers first: closing an app with a run still going (a failed test) then waits a real, bounded grace.
  afterEach(() => jest.useRealTimers());
  const fixture = useFixture();

  /** The app's store, its other store ('other') and the provider; the clock is faked first when `fakeClock`. */
  async function start(fakeClock = false) {
    // Only timers, Date and performance: promises, nextTick and setImmediate stay real, so awaits still run.
    if (fakeClock) jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const store = new InMemoryKvStore({ now: () => Date.now() });
    const other = new InMemoryKvStore({ now: () => Date.now(), table: 'other' });
    const logs = new LogCapture();
    const app = await fixture.app(
      { imports: [DynamoKvTestingModule.forRoot({ store }), DynamoKvTestingModule.forRoot({ name: 'other', store: other })], providers: [Jobs] },
      logs,
    );
    return { app, store, other, logs, jobs: app.get(Jobs) };
  }

  it('runs the method on the instance that takes the lease, and gives it the lease', async () => {
    const { jobs } = await start();
    await expect(jobs.quick()).resolves.toBe(1);
    await expect(jobs.quick()).resolves.toBe(2);
    expect(jobs.runs).toBe(2);
  });

  it('skips without running, resolving undefined and logging at debug level, while another owner holds the lease', async () => {
    const { store, jobs, logs } = await start();
    const holder = await store.acquireLease('quick', { ttlSeconds: 60 });
    expect(holder).not.toBeNull();
    await expect(jobs.quick()).resolves.toBeUndefined();
    expect(jobs.runs).toBe(0);
    expect(logs.from('KvExclusive')).toEqual([expect.objectContaining({ level: 'debug', message: expect.stringContaining("Job 'quick' skipped") })]);
  });

  it('releases the lease when the method returns: the next owner takes it at once, with the next token', async () => {
    const { store, jobs } = await start();
    const token = await jobs.quick();
    const next = await store.acquireLease('quick', { ttlSeconds: 60 });
    expect(next?.token).toBe(token! + 1);
  });

  it('releases the lease when the method throws, and rejects with its error', async () => {
    const { store, jobs } = await start();
    await expect(jobs.failing()).rejects.toThrow('the job failed');
    expect(jobs.runs).toBe(1);
    await expect(store.acquireLease('failing', { ttlSeconds: 60 })).resolves.not.toBeNull();
  });

  it('keeps the lease past its TTL while the method runs, extending it every third of the TTL', async () => {
    const { store, jobs } = await start(true);
    const run = jobs.slow();
    await jest.advanceTimersByTimeAsync(0);
    const [lease] = jobs.leases;
    const firstExpiry = lease!.expiresAt.getTime();
    await jest.advanceTimersByTimeAsync(3_500); // past the TTL of 3 s
    expect(lease!.expiresAt.getTime()).toBeGreaterThan(firstExpiry);
    expect(lease!.signal.aborted).toBe(false);
    await expect(store.acquireLease('slow', { ttlSeconds: 60 })).resolves.toBeNull();
    jobs.slowGate.open();
    await run;
    expect(lease!.signal.aborted).toBe(true); // released
    await expect(store.acquireLease('slow', { ttlSeconds: 60 })).resolves.not.toBeNull();
  });

  it('stops extending when the method returns: the lease ends when the hold does, a successor keeps it, and nothing is logged', async () => {
    const { store, jobs, logs } = await start(true);
    await jobs.lingering(); // shortened to end 2.5 s after it was taken; a renewal every 1 s would push that on
    await jest.advanceTimersByTimeAsync(2_500);
    const successor = await store.acquireLease('lingering', { ttlSeconds: 60 });
    expect(successor).not.toBeNull();
    await jest.advanceTimersByTimeAsync(20_000);
    await expect(successor!.extend()).resolves.toBe(true);
    // The shortened lease's signal aborted as it ran out, after the run: no loss to report.
    expect(logs.from('KvExclusive')).toEqual([]);
  });

  it("aborts the lease's signal when the lease is lost mid-run, logs that once, and never takes it back", async () => {
    const { store, jobs, logs } = await start(true);
    const run = jobs.slow();
    await jest.advanceTimersByTimeAsync(0);
    const [lease] = jobs.leases;
    // The process stalls past the lease's expiry (no timer fires meanwhile); another owner takes the job.
    jest.setSystemTime(Date.now() + 5_000);
    const successor = await store.acquireLease('slow', { ttlSeconds: 60 });
    expect(successor).not.toBeNull();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(lease!.signal.aborted).toBe(true);
    jobs.slowGate.open();
    await run;
    await jest.advanceTimersByTimeAsync(5_000);
    await expect(successor!.extend()).resolves.toBe(true);
    expect(successor!.token).toBe(lease!.token + 1);
    // Which check sees it first (the lease's expiry timer, or an extension finding the successor) is the timers' order.
    expect(logs.from('KvExclusive')).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: expect.stringMatching(/^Job 'slow' lost its lease before the run ended \((another owner took it over|it was about to expire: .*)\); its signal is aborted/),
      }),
    ]);
  });

  it('logs a lease found taken over only when the run ends (release returns false), once', async () => {
    const { store, jobs, logs } = await start(true);
    const run = jobs.slow();
    await jest.advanceTimersByTimeAsync(0);
    // A stall past the expiry during which no timer fires, and the method returns before any does.
    jest.setSystemTime(Date.now() + 5_000);
    await expect(store.acquireLease('slow', { ttlSeconds: 60 })).resolves.not.toBeNull();
    jobs.slowGate.open();
    await run;
    expect(logs.from('KvExclusive')).toEqual([
      expect.objectContaining({ level: 'warn', message: "Job 'slow' found its lease taken over by another owner when the run ended." }),
    ]);
  });

  it("holds a fast run's lease until holdAtLeastSeconds after it was taken, then frees it without waiting for the TTL", async () => {
    const { store, jobs } = await start(true);
    await jobs.held();
    await expect(store.acquireLease('held', { ttlSeconds: 60 })).resolves.toBeNull(); // a late instance, same tick
    await jest.advanceTimersByTimeAsync(1_999);
    await expect(store.acquireLease('held', { ttlSeconds: 60 })).resolves.toBeNull();
    await jest.advanceTimersByTimeAsync(1); // 2 s after it was taken, far short of the 10 s TTL
    await expect(store.acquireLease('held', { ttlSeconds: 60 })).resolves.not.toBeNull();
    expect(jobs.runs).toBe(1);
  });

  it('takes the lease in the store named by `store`', async () => {
    const { store, other, jobs } = await start();
    const holder = await store.acquireLease('elsewhere', { ttlSeconds: 60 });
    await jobs.elsewhere(); // the default store's lease of that name does not matter
    expect(jobs.runs).toBe(1);
    await other.acquireLease('elsewhere', { ttlSeconds: 60 });
    await jobs.elsewhere();
    expect(jobs.runs).toBe(1);
    expect(holder).not.toBeNull();
  });

  it('refuses, saying why, to run on an object Nest did not build, or detached from its object; and currentKvLease() outside a run', async () => {
    const { jobs } = await start();
    await expect(new Jobs().quick()).rejects.toThrow(
      new NotInExclusiveRunError(
        "@KvExclusive('quick') found no store injected into the object it was called on: call it on the instance Nest built from its " +
          'class (listed in providers as the class, or with useClass), not on one made with new, useFactory or useValue.',
      ),
    );
    const detached = jobs.quick;
    await expect(detached()).rejects.toThrow(expect.objectContaining({ name: 'NotInExclusiveRunError', message: expect.stringContaining('was called without its object') }) as Error);
    expect(jobs.runs).toBe(0);
    expect(() => currentKvLease()).toThrow(NotInExclusiveRunError);
  });

  it("fails the app's bootstrap when the store it names is not registered", async () => {
    await expect(fixture.app({ imports: [DynamoKvTestingModule.forRoot()], providers: [Jobs] })).rejects.toThrow(
      /nestjs-dynamodb-kv:store:other/,
    );
  });
});

@Injectable()
class Reports {
  run = 0;

  @KvExclusive('report', { ttlSeconds: 3 })
  async report(): Promise<void> {
    this.run += 1;
  }
}

describe('@KvExclusive on providers Nest builds, or does not', () => {
  const fixture = useFixture();

  it.each([
    ['useFactory', { provide: Reports, useFactory: () => new Reports() }],
    ['useValue', { provide: Reports, useValue: new Reports() }],
  ])("fails the app's bootstrap (%s): no store could be injected into it", async (_, provider) => {
    await expect(fixture.app({ imports: [DynamoKvTestingModule.forRoot()], providers: [provider] })).rejects.toThrow(
      expect.objectContaining({
        name: 'KvExclusiveOptionsError',
        option: 'target',
        message: expect.stringContaining("of 'report', Reports.report, is on a provider Nest did not build from its class"),
      }) as Error,
    );
  });

  it('runs in an app that registers its store by hand, without the modules (and so without shutdown handling)', async () => {
    const app = await fixture.app({ providers: [{ provide: getKvStoreToken(), useValue: new InMemoryKvStore() }, Reports] });
    await app.get(Reports).report();
    expect(app.get(Reports).run).toBe(1);
  });

  it('boots with the class listed itself, or with useClass', async () => {
    const app = await fixture.app({ imports: [DynamoKvTestingModule.forRoot()], providers: [{ provide: 'reports', useClass: Reports }] });
    await app.get<Reports>('reports').report();
    expect(app.get<Reports>('reports').run).toBe(1);
  });
});

@Injectable()
class ShutdownJobs {
  started = gate();
  stubbornGate = gate();
  reason: unknown;

  /** Stops when its signal aborts, as a method should. */
  @KvExclusive('polite', { ttlSeconds: 3, holdAtLeastSeconds: 0 })
  async polite(): Promise<void> {
    const lease = currentKvLease();
    this.started.open();
    await aborted(lease.signal);
    this.reason = lease.signal.reason;
  }

  briefRuns = 0;

  @KvExclusive('brief', { ttlSeconds: 3, holdAtLeastSeconds: 0 })
  async brief(): Promise<void> {
    this.briefRuns += 1;
  }

  /** Ignores its signal. */
  @KvExclusive('stubborn', { ttlSeconds: 3, holdAtLeastSeconds: 0 })
  async stubborn(): Promise<void> {
    this.started.open();
    await this.stubbornGate.opened;
  }
}

describe('@KvExclusive when the app shuts down', () => {
  afterEach(() => jest.useRealTimers());
  const fixture = useFixture();

  async function start(fakeClock = false) {
    if (fakeClock) jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const store = new InMemoryKvStore({ now: () => Date.now() });
    const logs = new LogCapture();
    const app = await fixture.app({ imports: [DynamoKvTestingModule.forRoot({ store })], providers: [ShutdownJobs] }, logs);
    return { app, store, logs, jobs: app.get(ShutdownJobs) };
  }

  it("aborts a running method's signal (cause 'shutdown'), waits for it, and releases its lease before the app is closed", async () => {
    const { app, store, jobs, logs } = await start();
    const run = jobs.polite();
    await jobs.started.opened;
    await app.close();
    // Said before app.close() resolved: the method had stopped, and the lease was released.
    expect(jobs.reason).toEqual(expect.objectContaining({ cause: 'shutdown' }));
    await expect(run).resolves.toBeUndefined();
    const next = await store.acquireLease('polite', { ttlSeconds: 60 });
    expect(next?.token).toBe(2);
    expect(logs.from('KvExclusive')).toEqual([expect.objectContaining({ level: 'log', message: expect.stringMatching(/^Stopping 1 running job \('polite'\)/) })]);
  });

  it('gives up on a method that does not stop after the grace: its lease is not released under it, and not extended any more', async () => {
    const { app, store, jobs, logs } = await start(true);
    const run = jobs.stubborn();
    await jobs.started.opened;
    const closing = app.close();
    await jest.advanceTimersByTimeAsync(5_000); // the grace; extensions go on meanwhile
    await closing;
    await expect(store.acquireLease('stubborn', { ttlSeconds: 60 })).resolves.toBeNull();
    await jest.advanceTimersByTimeAsync(3_000); // one TTL, the method still running: no extension since it was given up
    const successor = await store.acquireLease('stubborn', { ttlSeconds: 60 });
    expect(successor?.token).toBe(2);
    jobs.stubbornGate.open();
    await run;
    await expect(successor!.extend()).resolves.toBe(true);
    expect(logs.from('KvExclusive').map(({ level, message }) => [level, message])).toEqual([
      ['log', expect.stringMatching(/^Stopping 1 running job \('stubborn'\)/)],
      ['warn', expect.stringMatching(/^Job 'stubborn' was still running 5 s after the app began to shut down: its lease is not released/)],
    ]);
  });

  it('leaves the lease of a method that ends after the grace to expire: the app (and its store) is closed by then', async () => {
    const { app, store, jobs } = await start(true);
    const run = jobs.stubborn();
    await jobs.started.opened;
    const closing = app.close();
    await jest.advanceTimersByTimeAsync(5_000);
    await closing;
    jobs.stubbornGate.open();
    await run;
    await expect(store.acquireLease('stubborn', { ttlSeconds: 60 })).resolves.toBeNull();
    await jest.advanceTimersByTimeAsync(3_000);
    await expect(store.acquireLease('stubborn', { ttlSeconds: 60 })).resolves.not.toBeNull();
  });

  it('runs no method once shutdown has begun, and asks the store for nothing', async () => {
    const { app, store, jobs, logs } = await start();
    await app.close();
    await expect(jobs.brief()).resolves.toBeUndefined();
    expect(jobs.briefRuns).toBe(0);
    await expect(store.get('lease:brief')).rejects.toThrow(expect.objectContaining({ name: 'KeyNotFoundError' }) as Error);
    expect(logs.from('KvExclusive')).toEqual([expect.objectContaining({ level: 'debug', message: "Job 'brief' did not run: the app is shutting down." })]);
  });
});

@Injectable()
class ScheduledHolds {
  @Cron(CronExpression.EVERY_10_SECONDS)
  @KvExclusive('every-ten-seconds', { ttlSeconds: 30 })
  async everyTenSeconds(): Promise<void> {}

  @KvExclusive('every-ten-seconds-below', { ttlSeconds: 30 })
  @Cron(CronExpression.EVERY_10_SECONDS)
  async everyTenSecondsBelow(): Promise<void> {}

  @Cron(CronExpression.EVERY_HOUR)
  @KvExclusive('hourly', { ttlSeconds: 30 })
  async hourly(): Promise<void> {}

  @Interval(4_000)
  @KvExclusive('interval', { ttlSeconds: 30 })
  async interval(): Promise<void> {}

  @KvExclusive('unscheduled', { ttlSeconds: 60 })
  async unscheduled(): Promise<void> {}

  @KvExclusive('unscheduled-short', { ttlSeconds: 3 })
  async unscheduledShort(): Promise<void> {}

  @Cron('* * * * * *')
  @KvExclusive('hold-over-period', { ttlSeconds: 30, holdAtLeastSeconds: 1 })
  async holdOverPeriod(): Promise<void> {}
}

describe("@KvExclusive's hold by default: from the method's schedule", () => {
  afterEach(() => jest.useRealTimers());
  const fixture = useFixture();

  /** No ScheduleModule: the schedules are only read, never fired. */
  async function start() {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const store = new InMemoryKvStore({ now: () => Date.now() });
    const logs = new LogCapture();
    const app = await fixture.app({ imports: [DynamoKvTestingModule.forRoot({ store })], providers: [ScheduledHolds] }, logs);
    return { store, logs, jobs: app.get(ScheduledHolds) };
  }

  /** How long, in ms, another owner finds the lease `name` taken after `run`: it tries 1 ms before `expectedMs`, and at it. */
  async function expectHeldFor(store: InMemoryKvStore, name: string, run: () => Promise<void>, expectedMs: number): Promise<void> {
    await run();
    await jest.advanceTimersByTimeAsync(expectedMs - 1);
    await expect(store.acquireLease(name, { ttlSeconds: 60 })).resolves.toBeNull();
    await jest.advanceTimersByTimeAsync(1);
    await expect(store.acquireLease(name, { ttlSeconds: 60 })).resolves.not.toBeNull();
  }

  it.each([
    { name: 'every-ten-seconds', method: 'everyTenSeconds', holdMs: 5_000, why: '@Cron every 10 s: half the period' },
    { name: 'every-ten-seconds-below', method: 'everyTenSecondsBelow', holdMs: 5_000, why: 'the same, with @Cron below @KvExclusive' },
    { name: 'hourly', method: 'hourly', holdMs: 30_000, why: '@Cron every hour: half the period is 30 min, but at most ttlSeconds (30 s)' },
    { name: 'interval', method: 'interval', holdMs: 2_000, why: '@Interval(4000): half the interval' },
    { name: 'unscheduled', method: 'unscheduled', holdMs: 10_000, why: 'no schedule: DEFAULT_HOLD_AT_LEAST_SECONDS' },
    { name: 'unscheduled-short', method: 'unscheduledShort', holdMs: 3_000, why: 'no schedule, ttlSeconds 3: at most ttlSeconds' },
  ] as const)('holds $name for $holdMs ms after a run ($why)', async ({ name, method, holdMs }) => {
    const { store, jobs, logs } = await start();
    await expectHeldFor(store, name, () => jobs[method](), holdMs);
    expect(logs.from('KvExclusive')).toEqual([]);
  });

  it('warns once when a hold given is not shorter than the schedule\'s period (every tick after a run would be skipped)', async () => {
    const { jobs, logs } = await start();
    await jobs.holdOverPeriod();
    await jest.advanceTimersByTimeAsync(1_000);
    await jobs.holdOverPeriod();
    expect(logs.from('KvExclusive').filter(({ level }) => level === 'warn')).toEqual([
      expect.objectContaining({
        message:
          "Job 'hold-over-period' holds its lease 1 s after each run, not less than its schedule's period (1 s): the next tick finds it " +
          'taken and is skipped on every instance. Use about half the period.',
      }),
    ]);
  });
});

describe('@KvExclusive options', () => {
  it.each([
    ['an empty name', '', { ttlSeconds: 1 }, 'name'],
    ['a name of 2043 bytes (2048 with lease:, one too many)', 'x'.repeat(2043), { ttlSeconds: 1 }, 'name'],
    ['a name with a lone surrogate', '\ud800', { ttlSeconds: 1 }, 'name'],
    ['ttlSeconds 0', 'job', { ttlSeconds: 0 }, 'ttlSeconds'],
    ['ttlSeconds NaN', 'job', { ttlSeconds: Number.NaN }, 'ttlSeconds'],
    ['ttlSeconds over ten years', 'job', { ttlSeconds: 1e12 }, 'ttlSeconds'],
    ['a negative hold', 'job', { ttlSeconds: 1, holdAtLeastSeconds: -1 }, 'holdAtLeastSeconds'],
    ['an empty store name', 'job', { ttlSeconds: 1, store: '' }, 'store'],
    ['an unknown onLeaseError', 'job', { ttlSeconds: 1, onLeaseError: 'retry' }, 'onLeaseError'],
  ])('refuses %s when the class is declared', (_, name, options, option) => {
    const declare = () => KvExclusive(name, options as Parameters<typeof KvExclusive>[1]);
    expect(declare).toThrow(KvExclusiveOptionsError);
    expect(declare).toThrow(expect.objectContaining({ option }) as Error);
  });

  it('takes the longest name that fits a key with its lease: prefix', () => {
    expect(() => KvExclusive('x'.repeat(2042), { ttlSeconds: 1 })).not.toThrow();
  });

  it('refuses a static method when the class is declared (no instance to inject the store into)', () => {
    const declare = () => {
      class WithStatic {
        @KvExclusive('static', { ttlSeconds: 1 })
        static async run(): Promise<void> {}
      }
      return WithStatic;
    };
    expect(declare).toThrow(expect.objectContaining({ name: 'KvExclusiveOptionsError', option: 'target' }) as Error);
  });
});

@Injectable()
class ScheduledJobs {
  runs: string[] = [];

  @Cron('0 0 1 1 *', { name: 'cron-above', waitForCompletion: true })
  @KvExclusive('above', { ttlSeconds: 3, holdAtLeastSeconds: 0 })
  async above(): Promise<void> {
    this.runs.push('above');
  }

  @KvExclusive('below', { ttlSeconds: 3, holdAtLeastSeconds: 0 })
  @Cron('0 0 1 1 *', { name: 'cron-below', waitForCompletion: true })
  async below(): Promise<void> {
    this.runs.push('below');
  }
}

describe('@KvExclusive with @nestjs/schedule', () => {
  const fixture = useFixture();

  it.each(['above', 'below'] as const)('is what the cron job calls with @KvExclusive %s @Cron', async (order) => {
    const store = new InMemoryKvStore();
    const app = await fixture.app({ imports: [ScheduleModule.forRoot(), DynamoKvTestingModule.forRoot({ store })], providers: [ScheduledJobs] });
    const cronJob = app.get(SchedulerRegistry).getCronJob(`cron-${order}`);
    const jobs = app.get(ScheduledJobs);
    const holder = await store.acquireLease(order, { ttlSeconds: 60 });
    await cronJob.fireOnTick();
    expect(jobs.runs).toEqual([]); // skipped: the lease is held
    await holder!.release();
    await cronJob.fireOnTick();
    expect(jobs.runs).toEqual([order]);
  });
});
