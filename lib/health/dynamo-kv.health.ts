import type { ModuleRef } from '@nestjs/core';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { getKvStoreToken } from '../contract/kv-store.tokens.js';
import type { KVStore } from '../contract/kv-store.interface.js';
import { DEFAULT_HEALTH_TIMEOUT_MS } from '../options/dynamo-kv.options.js';
import type { HealthProbe, TerminusHealthIndicatorService } from './terminus-session.js';
import { timedAttempt } from './timed-attempt.js';

export interface DynamoKvHealthOptions {
  /** How long the probe may take before it reports down. Default 1000 ms, as the store's own check. */
  timeoutMs?: number;
  /** Name of the store to check (`forRoot({ name })`); the default store when omitted. */
  store?: string;
}

/**
 * Terminus indicator: `health.check([() => dynamo.isHealthy('dynamodb')])`. Up when the store can serve
 * (its table is ACTIVE); down, with the store's reason as `message`, otherwise. Results are cached per
 * store (the store's `healthCheck` option), not per indicator key as Terminus's `cacheFor` would. Works
 * with Terminus 11 and 12: Nest 11 apps that test with Jest in CommonJS cannot load Terminus 12.
 */
export class DynamoKvHealthIndicator {
  constructor(
    private readonly healthIndicatorService: TerminusHealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  isHealthy<const Key extends string = 'dynamodb'>(
    key: Key = 'dynamodb' as Key,
    options: DynamoKvHealthOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const session = this.healthIndicatorService.check(key);
    const probe: HealthProbe = async ({ signal }) => ({ ...(await this.store(options.store).assertHealthy({ signal })) });
    const timeoutMs = options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
    // Terminus 12 runs the attempt itself; Terminus 11's session has no `attempt`, so the same is done here.
    if (session.attempt) return Promise.resolve(session.attempt(probe).withTimeout(timeoutMs));
    return timedAttempt(session, probe, timeoutMs);
  }

  private store(name: string | undefined): KVStore {
    try {
      return this.moduleRef.get<KVStore>(getKvStoreToken(name), { strict: false });
    } catch (error) {
      throw new Error(`No DynamoDB KV store named '${name ?? 'default'}' is registered.`, { cause: error });
    }
  }
}
