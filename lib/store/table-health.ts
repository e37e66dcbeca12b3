import { KvUnavailableError } from '../contract/kv-store.errors.js';
import type { KvHealthCheckOptions, KvHealthDetails, TimeToLiveState } from '../contract/kv-store.interface.js';
import { HealthCheckCache } from '../health/health-check.cache.js';
import type { OperationObserver } from '../observability/operation-observer.js';
import type { DynamoKvSettings } from '../options/dynamo-kv.settings.js';
import { abortable } from './abortable.js';
import { activeTableStatus, describeTableCommand, describeTimeToLiveCommand, timeToLiveState } from './requests/describe-table.request.js';
import type { RequestSender } from './request-sender.js';

/**
 * The store's health: DescribeTable (and, with `ttl` set, DescribeTimeToLive) within the health timeout,
 * the result, up or down, cached per store.
 */
export class TableHealth {
  private readonly cache: HealthCheckCache<KvHealthDetails>;

  constructor(
    private readonly settings: DynamoKvSettings,
    private readonly region: string,
    private readonly sender: RequestSender,
    private readonly observer: OperationObserver,
  ) {
    this.cache = new HealthCheckCache(settings.healthCheck.cacheTtlMs);
  }

  /** Resolves when the table is ACTIVE; `signal` stops this caller's wait, not the shared check. */
  assertHealthy(options: KvHealthCheckOptions): Promise<KvHealthDetails> {
    const shared = this.cache.get(() => this.observer.observe('health_check', undefined, () => this.describe()));
    return abortable(shared, options.signal, { operation: 'health_check', table: this.settings.table });
  }

  /**
   * The same check once, unobserved and uncached: the start-up check, which reports a failure in its own
   * words (with the endpoint), so the operation log would only say it twice.
   */
  checkOnce(): Promise<KvHealthDetails> {
    // Once, at start-up, in the background: a slow first answer is not worth a warning; bootstrap's bound is.
    return this.describe(this.settings.startupTimeoutMs);
  }

  private async describe(timeoutMs = this.settings.healthCheck.timeoutMs): Promise<KvHealthDetails> {
    const { table, ttl } = this.settings;
    const timeout = AbortSignal.timeout(timeoutMs);
    const output = await this.sender
      .send({ operation: 'health_check', signal: timeout }, (client, options) => client.send(describeTableCommand(table), options))
      .catch((error: unknown) => {
        if (!timeout.aborted) throw error;
        throw new KvUnavailableError(`DynamoDB did not answer DescribeTable within ${timeoutMs} ms.`, {
          operation: 'health_check',
          table,
          cause: error,
        });
      });
    const details: KvHealthDetails = { table, region: this.region, tableStatus: activeTableStatus(table, output) };
    if (ttl.configured) details.ttl = await this.timeToLive(timeout);
    return details;
  }

  /** DescribeTimeToLive; undefined when it could not be read (a missing permission must not fail health). */
  private async timeToLive(signal: AbortSignal): Promise<TimeToLiveState | undefined> {
    const { table, ttl } = this.settings;
    try {
      const output = await this.sender.send({ operation: 'health_check', signal }, (client, options) =>
        client.send(describeTimeToLiveCommand(table), options),
      );
      return timeToLiveState(output, ttl.attributeName);
    } catch {
      return undefined;
    }
  }
}
