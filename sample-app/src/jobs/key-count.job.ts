import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { currentKvLease, KeyNotFoundError, KV_STORE, KvExclusive, type KVStore } from 'nestjs-dynamodb-kv';
import { hostname } from 'node:os';

/** Where the job leaves its report, readable with `GET /kv/jobs:key-count`. */
export const KEY_COUNT_KEY = 'jobs:key-count';

/**
 * When the job runs: KV_KEY_COUNT_CRON, a cron expression with seconds, every 30 seconds by default, or
 * `off`. Read when the class is defined, since a decorator needs it then; a bad expression fails start-up.
 */
const SCHEDULE = process.env.KV_KEY_COUNT_CRON?.trim() || '*/30 * * * * *';
const OFF = SCHEDULE === 'off';

/**
 * Counts the store's keys and writes the count, with which instance made it and its lease's fencing
 * token, under `jobs:key-count`: on each tick one instance of the app does it, however many run, and a
 * count from an older lease never overwrites a newer one. A Scan reads the whole table, which is fine for
 * a sample and a small table, not for a large one.
 */
@Injectable()
export class KeyCountJob {
  private readonly logger = new Logger(KeyCountJob.name);

  constructor(@Inject(KV_STORE) private readonly store: KVStore) {}

  @Cron(OFF ? '0 0 0 1 1 *' : SCHEDULE, { name: 'key-count', disabled: OFF })
  @KvExclusive('key-count', { ttlSeconds: 20 })
  async countKeys(): Promise<void> {
    const lease = currentKvLease();
    let keys = 0;
    for await (const page of this.store.listKeys({ signal: lease.signal })) keys += page.length;
    const report: KeyCountReport = { keys, countedAt: new Date().toISOString(), instance: `${hostname()}:${process.pid}`, fencingToken: lease.token };
    if (await this.writeFenced(report, lease.signal)) this.logger.log(`Counted ${keys} keys (fencing token ${lease.token})`);
    else this.logger.warn(`A newer count than this one (fencing token ${lease.token}) is stored: this one was dropped`);
  }

  /**
   * Writes the report unless the stored one came from a later lease: a run that paused past its lease
   * (a long GC, a stalled VM) must not overwrite its successor's count. The token decides, not the clock.
   */
  private async writeFenced(report: KeyCountReport, signal: AbortSignal): Promise<boolean> {
    const next = JSON.stringify(report);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const stored = await this.store.get(KEY_COUNT_KEY, { consistentRead: true, signal }).catch((error: unknown) => {
        if (error instanceof KeyNotFoundError) return undefined;
        throw error;
      });
      if (stored === undefined) {
        if (await this.store.setIfAbsent(KEY_COUNT_KEY, next, { signal })) return true;
      } else {
        if ((JSON.parse(stored) as KeyCountReport).fencingToken > report.fencingToken) return false;
        if (await this.store.compareAndSwap(KEY_COUNT_KEY, stored, next, { signal })) return true;
      }
    }
    return false;
  }
}

interface KeyCountReport {
  keys: number;
  countedAt: string;
  instance: string;
  fencingToken: number;
}
