import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { KVStore } from '../contract/kv-store.interface.js';
import { failModeAnswer } from './fail-mode.js';
import { KeyLane, type LaneServices, type PendingHit } from './key-lane.js';
import { KnownBlocks } from './known-blocks.js';
import { OutageLog, requestsWere } from './outage-log.js';
import type { ThrottleAnswer } from './throttle-answer.js';
import { throttleHit } from './throttle-arguments.js';
import { answerIfUnchanged } from './throttle-hit.js';
import { throttleStoreKey } from './throttle-key.js';
import { throttlerStorageSettings, type DynamoKvThrottlerStorageOptions, type ThrottlerStorageSettings } from './throttler-storage.options.js';

/**
 * A `@nestjs/throttler` 6.7 storage over any {@link KVStore}: every instance of the app counts against the
 * same limits, with the answers of the in-memory `ThrottlerStorageService` (same hits, windows and
 * blocks). A key's record is one JSON value, read and then written conditionally on what was read, so no
 * hit is lost to a race and none gets through uncounted while the store answers; concurrent hits on one
 * key within an instance go in one round (one read, one write). Each call has a short budget
 * (`timeoutMs`): when the store cannot answer within it, `failMode` does. Pass it as `storage` in
 * `ThrottlerModule.forRoot(Async)`.
 */
export class DynamoKvThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(DynamoKvThrottlerStorage.name);
  private readonly settings: ThrottlerStorageSettings;
  /** The keys with hits under way in this instance. */
  private readonly lanes = new Map<string, KeyLane>();
  private readonly knownBlocks = new KnownBlocks();
  private readonly services: LaneServices;

  constructor(store: KVStore, options: DynamoKvThrottlerStorageOptions = {}) {
    const settings = (this.settings = throttlerStorageSettings(options));
    const failures = new OutageLog(this.logger, (count) => {
      const what = settings.failMode === 'open' ? 'let through unthrottled' : 'answered as blocked';
      return `Failing ${settings.failMode}: ${requestsWere(count)} ${what}, the throttler's store could not answer`;
    });
    const contention = new OutageLog(
      this.logger,
      (count) => `${requestsWere(count)} refused for a second (Retry-After: 1) though within their limit, never let through uncounted`,
    );
    const now = (): number => Date.now();
    this.services = {
      store,
      timeoutMs: settings.timeoutMs,
      failMode: settings.failMode,
      now,
      failOver: (hits, reason) => this.failOver(failures, hits, reason),
      contended: (count) =>
        contention.report(count, `Other instances won the race for their key's record at every attempt within the ${settings.timeoutMs} ms budget.`),
      finished: (lane, known) => {
        if (this.lanes.get(lane.key) === lane) this.lanes.delete(lane.key);
        this.knownBlocks.remember(lane.key, known, now());
      },
    };
  }

  /**
   * Counts a hit on `key` for `throttlerName` and answers as `ThrottlerStorageService` would: `ttl` and
   * `blockDuration` in milliseconds (a `blockDuration` of 0 or less never blocks, and refuses hits over
   * the limit without counting them); the answer's times in whole seconds.
   */
  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottleAnswer> {
    const checked = throttleHit(key, ttl, limit, blockDuration, throttlerName);
    const storeKey = throttleStoreKey(this.settings.prefix, checked.key);
    let lane = this.lanes.get(storeKey);
    if (lane === undefined) {
      // A block this instance knows of answers without a call to the store.
      const now = this.services.now();
      const known = this.knownBlocks.get(storeKey, now);
      const answer = known === undefined ? undefined : answerIfUnchanged(known, checked.hit, now);
      if (answer !== undefined) return answer;
      lane = new KeyLane(storeKey, this.services, known);
      this.lanes.set(storeKey, lane);
    }
    const arrivedAt = performance.now();
    return new Promise((resolve, reject) => {
      const pending: PendingHit = { hit: checked.hit, arrivedAt, deadline: arrivedAt + this.settings.timeoutMs, settled: false, writing: false, resolve, reject };
      lane.submit(pending);
    });
  }

  private failOver(log: OutageLog, hits: readonly PendingHit[], reason: string): void {
    log.report(hits.length, reason);
    for (const pending of hits) {
      pending.settled = true;
      pending.resolve(failModeAnswer(this.settings.failMode, pending.hit));
    }
  }
}
