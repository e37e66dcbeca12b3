import type { ModuleRef } from '@nestjs/core';
import type { HealthCheckAttempt, HealthIndicatorService } from '@nestjs/terminus';
import { getKvStoreToken } from '../contract/kv-store.tokens.js';
import type { KVStore } from '../contract/kv-store.interface.js';
import { DEFAULT_HEALTH_TIMEOUT_MS } from '../options/dynamo-kv.options.js';

export interface DynamoKvHealthOptions {
  /** How long the probe may take before it reports down. Default 1000 ms, as the store's own check. */
  timeoutMs?: number;
  /** Name of the store to check (`forRoot({ name })`); the default store when omitted. */
  store?: string;
}

/**
 * Terminus indicator: `health.check([() => dynamo.isHealthy('dynamodb')])`. Up when the store can serve
 * (its table is ACTIVE); down, with the store's reason as `message`, otherwise. Results are cached per
 * store (the store's `healthCheck` option), not per indicator key as Terminus's `cacheFor` would.
 */
export class DynamoKvHealthIndicator {
  constructor(
    private readonly healthIndicatorService: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  isHealthy<const Key extends string = 'dynamodb'>(
    key: Key = 'dynamodb' as Key,
    options: DynamoKvHealthOptions = {},
  ): HealthCheckAttempt<Key> {
    return this.healthIndicatorService
      .check(key)
      .attempt(async ({ signal }) => ({ ...(await this.store(options.store).assertHealthy({ signal })) }))
      .withTimeout(options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS);
  }

  private store(name: string | undefined): KVStore {
    try {
      return this.moduleRef.get<KVStore>(getKvStoreToken(name), { strict: false });
    } catch (error) {
      throw new Error(`No DynamoDB KV store named '${name ?? 'default'}' is registered.`, { cause: error });
    }
  }
}
