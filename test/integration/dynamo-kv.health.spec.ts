import { Injectable, Module, ServiceUnavailableException, type Provider } from '@nestjs/common';
import { ModuleRef, ModulesContainer } from '@nestjs/core';
import { HealthCheckService, TerminusModule, type HealthCheckResult } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import {
  DynamoKvHealthIndicator,
  DynamoKvModule,
  OPERATION_DURATION_METRIC,
  type DynamoKvModuleForRootOptions,
} from '../../lib/index.js';
import { useFixture, useTable, type Fixture } from '../support/fixture.js';
import { sampleValue } from '../support/metric-samples.js';
import { unreachableEndpoint } from '../support/silent-servers.js';
import { optionsAt, serverOptions } from '../support/store-options.js';
import { Terminus11HealthIndicatorService } from '../support/terminus-11-service.js';
import { TEST_REGION, createTableAt, uniqueTableName } from '../support/test-endpoint.js';

type Check = () => ReturnType<DynamoKvHealthIndicator['isHealthy']>;

/** What a health controller holds: Terminus's service and the indicator, injected as an app would. */
@Injectable()
class HealthProbe {
  constructor(
    readonly health: HealthCheckService,
    readonly indicator: DynamoKvHealthIndicator,
  ) {}

  /** Runs `health.check` as a controller would; Terminus answers 503 by throwing, with the result as body. */
  run(check: Check = () => this.indicator.isHealthy('dynamodb')): Promise<HealthCheckResult> {
    return this.health.check([check]).catch((error: unknown) => {
      if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
      throw error;
    });
  }
}

/**
 * The indicator on each Terminus API it supports: as the module provides it (with this repository's
 * Terminus 12, whose session has `attempt`), and over Terminus 11's session, which has only `up` and `down`.
 */
const TERMINUS_APIS: Array<[string, Provider[]]> = [
  ['Terminus 12 (check(key).attempt)', []],
  [
    'Terminus 11 (check(key) with up and down only)',
    [
      {
        provide: DynamoKvHealthIndicator,
        inject: [ModuleRef],
        useFactory: (moduleRef: ModuleRef) => new DynamoKvHealthIndicator(new Terminus11HealthIndicatorService(), moduleRef),
      },
    ],
  ],
];

/** An app with Terminus and the given stores; `indicator` providers in the app's module replace the module's. */
async function healthProbe(fixture: Fixture, stores: DynamoKvModuleForRootOptions[], indicator: Provider[] = []): Promise<HealthProbe> {
  @Module({ imports: [TerminusModule, ...stores.map((options) => DynamoKvModule.forRoot(options))], providers: [HealthProbe, ...indicator] })
  class AppModule {}
  return (await fixture.app({ imports: [AppModule] })).get(HealthProbe);
}

const at = (endpoint: string) => optionsAt(endpoint, 'health', { maxAttempts: 1 });

describe('DynamoKvHealthIndicator', () => {
  const table = useTable();
  const fixture = useFixture();

  describe.each(TERMINUS_APIS)('on %s', (_api, indicator) => {
    it('is up on an ACTIVE table, with table, region, status and response time', async () => {
      const result = await (await healthProbe(fixture, [serverOptions(table.name)], indicator)).run();
      expect(result.status).toBe('ok');
      expect(result.details.dynamodb).toMatchObject({ status: 'up', table: table.name, region: TEST_REGION, tableStatus: 'ACTIVE' });
      expect(result.details.dynamodb?.responseTime).toEqual(expect.any(Number));
    });

    it('is down, with the reason, for a missing table', async () => {
      const missing = uniqueTableName('missing');
      const result = await (await healthProbe(fixture, [serverOptions(missing)], indicator)).run();
      expect(result.status).toBe('error');
      expect(result.details.dynamodb).toMatchObject({ status: 'down' });
      expect(result.details.dynamodb?.message).toMatch(new RegExp(`Table '${missing}' was not found`));
    });

    it('is down for a table that is not ACTIVE, naming its status', async () => {
      const server = await fixture.dynalite({ createTableMs: 1_000 });
      await createTableAt(server.endpoint, 'health');
      const result = await (await healthProbe(fixture, [at(server.endpoint)], indicator)).run();
      expect(result.details.dynamodb).toMatchObject({ status: 'down', message: "Table 'health' is CREATING, not ACTIVE." });
    });

    it('is down for an unreachable endpoint', async () => {
      const result = await (await healthProbe(fixture, [at(await unreachableEndpoint())], indicator)).run();
      expect(result.details.dynamodb).toMatchObject({ status: 'down' });
      expect(result.details.dynamodb?.message).toBe("DynamoDB could not be reached for health_check on table 'health'; nothing was changed.");
    });

    it('is down within its timeout when the endpoint hangs', async () => {
      const hanging = await fixture.hangingServer();
      const probe = await healthProbe(fixture, [at(hanging.endpoint)], indicator);
      const result = await probe.run(() => probe.indicator.isHealthy('dynamodb', { timeoutMs: 300 }));
      expect(result.details.dynamodb).toMatchObject({ status: 'down', message: 'timeout of 300ms exceeded' });
    });

    it("is down at the store's own DescribeTable timeout when that is the shorter", async () => {
      const hanging = await fixture.hangingServer();
      const probe = await healthProbe(fixture, [{ ...at(hanging.endpoint), healthCheck: { timeoutMs: 200 } }], indicator);
      const result = await probe.run(() => probe.indicator.isHealthy('dynamodb', { timeoutMs: 5_000 }));
      expect(result.details.dynamodb?.message).toBe('DynamoDB did not answer DescribeTable within 200 ms.');
    });

    it('checks any store by name, each with its own cached result under the same key', async () => {
      const missing = uniqueTableName('missing');
      const probe = await healthProbe(fixture, [serverOptions(table.name), { ...serverOptions(missing), name: 'broken' }], indicator);
      const broken = await probe.run(() => probe.indicator.isHealthy('dynamodb', { store: 'broken' }));
      const healthy = await probe.run(() => probe.indicator.isHealthy('dynamodb'));
      expect(broken.details.dynamodb).toMatchObject({ status: 'down' });
      expect(healthy.details.dynamodb).toMatchObject({ status: 'up', table: table.name });
      const unknown = await probe.run(() => probe.indicator.isHealthy('dynamodb', { store: 'nope' }));
      expect(unknown.details.dynamodb?.message).toBe("No DynamoDB KV store named 'nope' is registered.");
    });
  });

  describe('caching DescribeTable per store', () => {
    async function describeCalls(cacheTtlMs: number, probes: (probe: HealthProbe) => Promise<unknown>): Promise<number> {
      const registry = new Registry();
      await probes(await healthProbe(fixture, [{ ...serverOptions(table.name), healthCheck: { cacheTtlMs }, metrics: { registry } }]));
      return sampleValue(registry, `${OPERATION_DURATION_METRIC}_count`, { operation: 'health_check' });
    }

    it('describes the table once for probes within the cache TTL, concurrent ones included', async () => {
      expect(await describeCalls(60_000, async (probe) => Promise.all([probe.run(), probe.run(), probe.run()]))).toBe(1);
      expect(await describeCalls(60_000, async (probe) => [await probe.run(), await probe.run(), await probe.run()])).toBe(1);
    });

    it('describes the table on every sequential probe when the cache is off', async () => {
      expect(await describeCalls(0, async (probe) => [await probe.run(), await probe.run(), await probe.run()])).toBe(3);
    });

    it('caches a DOWN result too, so an outage does not multiply DescribeTable calls', async () => {
      const registry = new Registry();
      const missing = uniqueTableName('missing');
      const probe = await healthProbe(fixture, [{ ...serverOptions(missing), healthCheck: { cacheTtlMs: 60_000 }, metrics: { registry } }]);
      for (const result of [await probe.run(), await probe.run()]) expect(result.status).toBe('error');
      expect(await sampleValue(registry, `${OPERATION_DURATION_METRIC}_count`, { operation: 'health_check' })).toBe(1);
    });
  });

  it('registers the indicator once however many stores there are, and checks each', async () => {
    const app = await fixture.app({
      imports: [
        TerminusModule,
        DynamoKvModule.forRoot({ ...serverOptions(table.name), keyPrefix: 'first:' }),
        DynamoKvModule.forRoot({ ...serverOptions(table.name), name: 'second', keyPrefix: 'second:' }),
      ],
      providers: [HealthProbe],
    });
    const modules = [...app.get(ModulesContainer).values()];
    expect(modules.filter((module) => module.providers.has(DynamoKvHealthIndicator))).toHaveLength(1);
    expect(modules.filter((module) => module.metatype === TerminusModule)).toHaveLength(1);
    const probe = app.get(HealthProbe);
    const result = await probe.run(() => probe.indicator.isHealthy('second', { store: 'second' }));
    expect(result.details.second).toMatchObject({ status: 'up' });
  });
});
