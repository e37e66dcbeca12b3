import { KvOutcomeUnknownError } from '../../contract/kv-store.errors.js';
import type { KVStore } from '../../contract/kv-store.interface.js';
import { describeFailure } from './describe-failure.js';
import { endLease } from './end-lease.js';
import { runWithLease } from './exclusive-lease.context.js';
import type { JobLog } from './job-log.js';
import type { ExclusiveJob } from './kv-exclusive.options.js';
import { keepLeaseAlive, type LeaseKeepAlive } from './lease-keep-alive.js';
import { RunLease, stopCause } from './run-lease.js';

/** What the app's shutdown sees of a call of a `@KvExclusive` method (see `ExclusiveRuns`). */
export interface TrackedRun {
  readonly job: string;
  /** Asks the call to stop: aborts its lease request, or the signal its method sees (cause 'shutdown'). */
  stop(): void;
  /** Gives up on a method that did not stop in time: no more extensions; its lease is left to expire. */
  abandon(graceMs: number): void;
  /** Settles (never rejects) once the call is over and has let go of its lease. */
  readonly ended: Promise<void>;
}

/**
 * One call of a `@KvExclusive` method: takes the lease without waiting, runs the method with the lease
 * kept alive, and ends the lease, logging what went wrong on the way (a lease lost mid-run, once).
 */
export class ExclusiveRun implements TrackedRun {
  readonly job: string;
  readonly ended: Promise<void>;
  private markEnded!: () => void;
  /** Aborts the lease request at shutdown, before there is a lease whose run could be stopped. */
  private readonly shutdown = new AbortController();
  private lease: RunLease | undefined;
  private takenAtMs = 0;
  private keepAlive: LeaseKeepAlive | undefined;
  private ran = false;
  private abandoned = false;
  private readonly onAbort = (): void => this.logLoss();

  constructor(
    private readonly spec: ExclusiveJob,
    private readonly holdSeconds: number,
    private readonly log: JobLog,
  ) {
    this.job = spec.name;
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
  }

  /** The lease, taken; undefined when the method must not run (another instance has it, or it failed: logged). */
  async take(store: KVStore): Promise<RunLease | undefined> {
    const { name, ttlSeconds, onLeaseError } = this.spec;
    let taken;
    try {
      taken = await store.acquireLease(name, { ttlSeconds, waitMs: 0, signal: this.shutdown.signal });
    } catch (error) {
      if (this.shutdown.signal.aborted) return this.notTakenAtShutdown(error);
      if (onLeaseError === 'throw') throw error;
      this.log.failed('take', 'error', `Job '${name}' did not run: taking its lease failed (${describeFailure(error)}).`);
      return undefined;
    }
    if (taken === null) {
      this.log.debug(`Job '${name}' skipped: another instance holds its lease.`);
      return undefined;
    }
    // The hold counts from here: a run must not let go sooner just because taking the lease was slow.
    this.takenAtMs = performance.now();
    this.lease = new RunLease(taken);
    this.lease.signal.addEventListener('abort', this.onAbort, { once: true });
    if (this.shutdown.signal.aborted) {
      this.log.debug(`Job '${name}' did not run: the app is shutting down (its lease is released).`);
      return undefined;
    }
    return this.lease;
  }

  /** Runs `method` with the lease taken by {@link take} as `currentKvLease()`, extending it meanwhile. */
  run<T>(lease: RunLease, method: () => T | Promise<T>): Promise<T> {
    this.ran = true;
    this.keepAlive = keepLeaseAlive(lease, this.spec, this.log);
    return Promise.resolve(runWithLease(lease, method));
  }

  /** Ends the lease: shortened to the end of its hold after a run, released at once when the method did not run. */
  async end(): Promise<void> {
    // From here the lease's end is expected (a shortened lease also aborts its signal as it runs out):
    // what this finds is said below, not as a loss during the run.
    this.lease?.signal.removeEventListener('abort', this.onAbort);
    try {
      this.keepAlive?.stop();
      const lease = this.lease;
      // Nothing to end: never taken; given up at shutdown; the store is closed; or the lease ended during
      // the run (released by the method, or lost: logged then).
      if (lease === undefined || this.abandoned || stopCause(lease.signal) === 'store-closed' || lease.leaseSignal.aborted) return;
      const holdMs = this.ran ? this.takenAtMs + this.holdSeconds * 1000 - performance.now() : 0;
      // 'expiring': the hold ran out while it was being shortened, and the lease was freed; no loss.
      if ((await endLease(lease, holdMs, this.spec, this.log)) === 'not-ours' && stopCause(lease.leaseSignal) !== 'expiring') {
        this.log.warn(`Job '${this.spec.name}' found its lease taken over by another owner when the run ended.`);
      }
    } finally {
      this.markEnded();
    }
  }

  stop(): void {
    this.shutdown.abort();
    this.lease?.stop('shutdown');
  }

  abandon(graceMs: number): void {
    this.abandoned = true;
    this.keepAlive?.stop();
    if (this.lease === undefined || this.lease.leaseSignal.aborted) return;
    this.log.warn(
      `Job '${this.spec.name}' was still running ${graceMs / 1000} s after the app began to shut down: its lease is not ` +
        `released under a running method, and stays taken until ${this.lease.expiresAt.toISOString()}. Stop the method when lease.signal aborts.`,
    );
  }

  /** Once per run (the signal aborts once), when it aborts during the run for a reason other than shutdown or a release by the method. */
  private logLoss(): void {
    const lease = this.lease!;
    const cause = stopCause(lease.signal);
    if (cause === 'released' || cause === 'shutdown') return;
    if (cause === 'store-closed') {
      this.log.warn(`Job '${this.spec.name}' can no longer extend its lease: the store is closed. Its signal is aborted; the lease ends at ${lease.expiresAt.toISOString()}.`);
      return;
    }
    const why = cause === 'lost' ? 'another owner took it over' : 'it was about to expire: no extension landed in time';
    this.log.warn(`Job '${this.spec.name}' lost its lease before the run ended (${why}); its signal is aborted: stop, and fence writes with its token.`);
  }

  /** The lease request was cut short by shutdown: nothing ran; a write that may have landed leaves the lease to its TTL. */
  private notTakenAtShutdown(error: unknown): undefined {
    const { name, ttlSeconds } = this.spec;
    if (error instanceof KvOutcomeUnknownError) {
      this.log.warn(`Job '${name}' did not run: the app shut down while it took its lease; if it did, it stays taken for ${ttlSeconds} s.`);
    } else {
      this.log.debug(`Job '${name}' did not run: the app is shutting down.`);
    }
    return undefined;
  }
}
