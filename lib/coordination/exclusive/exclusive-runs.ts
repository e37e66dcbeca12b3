import { Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { TrackedRun } from './exclusive-run.js';
import { assertExclusiveTargetsInjected } from './exclusive-targets.js';

/**
 * How long shutdown waits at most for running `@KvExclusive` methods once their signal has aborted. A
 * method still running then keeps its lease until it expires: releasing it under the method would let
 * another instance start the job beside it.
 */
export const SHUTDOWN_GRACE_MS = 5_000;

/**
 * The `@KvExclusive` calls in progress in one application (every `DynamoKvModule` and
 * `DynamoKvTestingModule` app has one; decorated providers get it injected). At shutdown, before any
 * store closes (`beforeApplicationShutdown` comes before every `onApplicationShutdown`), it turns new calls
 * away, aborts the running methods' signals (cause 'shutdown') and waits, bounded, for them to end and let
 * go of their leases. At module init, it refuses decorated providers Nest did not build from their class.
 */
@Injectable()
export class ExclusiveRuns implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('KvExclusive');
  private readonly running = new Set<TrackedRun>();
  private closing = false;

  constructor(private readonly modules: ModulesContainer) {}

  onModuleInit(): void {
    assertExclusiveTargetsInjected(this.modules.values());
  }

  /** Follows `run` until it ends; false, following nothing, once the app is shutting down. */
  track(run: TrackedRun): boolean {
    if (this.closing) return false;
    this.running.add(run);
    void run.ended.then(() => this.running.delete(run));
    return true;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    const runs = [...this.running];
    if (runs.length === 0) return;
    const jobs = runs.map((run) => `'${run.job}'`).join(', ');
    this.logger.log(`Stopping ${runs.length} running job${runs.length === 1 ? '' : 's'} (${jobs}); waiting ${SHUTDOWN_GRACE_MS / 1000} s at most.`);
    for (const run of runs) run.stop();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)));
    await Promise.race([Promise.all(runs.map((run) => run.ended)), graceOver]);
    clearTimeout(timer);
    for (const run of this.running) run.abandon(SHUTDOWN_GRACE_MS);
  }
}
