import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService, type HealthCheckAttempt } from '@nestjs/terminus';
import { getKvStoreToken } from '../dynamo-kv.tokens.js';
import type { KVStore } from '../kv-store.interface.js';

export interface DynamoKvHealthOptions {
  /** How long the probe may take before it reports down. Default 1000 ms. */
  timeoutMs?: number;
  /** Name of the store to check (`forRoot({ name })`); the default store when omitted. */
  store?: string;
}

export const DEFAULT_HEALTH_INDICATOR_TIMEOUT_MS = 1_000;

/**
 * Terminus indicator: `health.check([() => dynamo.isHealthy('dynamodb')])`. Up when the store's table is
 * ACTIVE; down, with the reason as `message`, otherwise. Results are cached per store (see the store's
 * `healthCheck` option), not per indicator key as Terminus's `cacheFor` would.
 */
@Injectable()
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
      .attempt(async ({ signal }) => {
        const health = await this.store(options.store).healthCheck({ signal });
        if (health.status === 'DOWN') throw new Error(health.details.error ?? 'DynamoDB store is down.');
        return { ...health.details };
      })
      .withTimeout(options.timeoutMs ?? DEFAULT_HEALTH_INDICATOR_TIMEOUT_MS);
  }

  private store(name: string | undefined): KVStore {
    try {
      return this.moduleRef.get<KVStore>(getKvStoreToken(name), { strict: false });
    } catch (error) {
      throw new Error(`No DynamoDB KV store named '${name ?? 'default'}' is registered.`, { cause: error });
    }
  }
}
