import { testingModule } from '../support/testing-module.js';
import { Module, ServiceUnavailableException, type INestApplicationContext } from '@nestjs/common';
import { HealthCheckService, TerminusModule, type HealthCheckResult } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import {
  DynamoKvHealthIndicator,
  DynamoKvModule,
  OPERATION_DURATION_METRIC,
  type DynamoKvModuleForRootOptions,
} from '../../lib/index.js';
import { startDynalite } from '../support/dynalite-server.js';
import { startHangingServer, unreachableEndpoint } from '../support/silent-servers.js';
import { sampleValue } from '../support/metric-samples.js';
import { optionsAt, serverOptions } from '../support/store-app.js';
import {
  TEST_REGION,
  createTableCommand,
  createTestTable,
  testClient,
  uniqueTableName,
  type TestTable,
} from '../support/test-endpoint.js';

interface HealthApp {
  app: INestApplicationContext;
  probe(check?: () => ReturnType<DynamoKvHealthIndicator['isHealthy']>): Promise<HealthCheckResult>;
}

/** An app with Terminus and the given stores; `probe` runs `health.check` as a controller would. */
async function healthApp(...stores: DynamoKvModuleForRootOptions[]): Promise<HealthApp> {
  @Module({ imports: [TerminusModule, ...stores.map((options) => DynamoKvModule.forRoot(options))] })
  class AppModule {}
  const app = await (await testingModule({ imports: [AppModule] }).compile()).init();
  const health = app.get(HealthCheckService);
  const indicator = app.get(DynamoKvHealthIndicator);
  return {
    app,
    probe: (check = () => indicator.isHealthy('dynamodb')) =>
      health.check([check]).catch((error: unknown) => {
        // Terminus answers 503 by throwing; its body is the result.
        if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
        throw error;
      }),
  };
}

const FAIL_FAST = { maxAttempts: 1 };

const at = (endpoint: string) => optionsAt(endpoint, 'health', FAIL_FAST);

describe('DynamoKvHealthIndicator', () => {
  let table: TestTable;

  beforeAll(async () => {
    table = await createTestTable();
  });

  afterAll(() => table.drop());

  it('is up on an ACTIVE table, with table, region and status', async () => {
    const { app, probe } = await healthApp(serverOptions(table.name));
    const result = await probe();
    expect(result.status).toBe('ok');
    expect(result.details.dynamodb).toMatchObject({
      status: 'up',
      table: table.name,
      region: TEST_REGION,
      tableStatus: 'ACTIVE',
    });
    await app.close();
  });

  it('is down, with the reason, for a missing table', async () => {
    const missing = uniqueTableName('missing');
    const { app, probe } = await healthApp(serverOptions(missing));
    const result = await probe();
    expect(result.status).toBe('error');
    expect(result.details.dynamodb).toMatchObject({ status: 'down' });
    expect(result.details.dynamodb?.message).toMatch(new RegExp(`Table '${missing}' was not found`));
    await app.close();
  });

  it('is down for a table that is not ACTIVE, naming its status', async () => {
    const server = await startDynalite({ createTableMs: 1_000 });
    const client = testClient(server.endpoint);
    await client.send(createTableCommand('health'));
    const { app, probe } = await healthApp(at(server.endpoint));
    const result = await probe();
    expect(result.details.dynamodb).toMatchObject({ status: 'down', message: "Table 'health' is CREATING, not ACTIVE." });
    await app.close();
    client.destroy();
    await server.close();
  });

  it('is down for an unreachable endpoint', async () => {
    const { app, probe } = await healthApp(at(await unreachableEndpoint()));
    const result = await probe();
    expect(result.details.dynamodb).toMatchObject({ status: 'down' });
    expect(result.details.dynamodb?.message).toMatch(/ECONNREFUSED/);
    await app.close();
  });

  it('is down within its timeout when the endpoint hangs', async () => {
    const hanging = await startHangingServer();
    const { app, probe } = await healthApp(at(hanging.endpoint));
    const indicator = app.get(DynamoKvHealthIndicator);
    const result = await probe(() => indicator.isHealthy('dynamodb', { timeoutMs: 300 }));
    expect(result.details.dynamodb).toMatchObject({ status: 'down', message: 'timeout of 300ms exceeded' });
    await app.close();
    await hanging.close();
  });

  it("is down at the store's own DescribeTable timeout when that is the shorter", async () => {
    const hanging = await startHangingServer();
    const { app, probe } = await healthApp({ ...at(hanging.endpoint), healthCheck: { timeoutMs: 200 } });
    const indicator = app.get(DynamoKvHealthIndicator);
    const result = await probe(() => indicator.isHealthy('dynamodb', { timeoutMs: 5_000 }));
    expect(result.details.dynamodb?.message).toMatch(/DescribeTable did not answer within 200 ms/);
    await app.close();
    await hanging.close();
  });

  it('checks any store by name, each with its own cached result under the same key', async () => {
    const missing = uniqueTableName('missing');
    const { app, probe } = await healthApp(serverOptions(table.name), { ...serverOptions(missing), name: 'broken' });
    const indicator = app.get(DynamoKvHealthIndicator);
    const broken = await probe(() => indicator.isHealthy('dynamodb', { store: 'broken' }));
    const healthy = await probe(() => indicator.isHealthy('dynamodb'));
    expect(broken.details.dynamodb).toMatchObject({ status: 'down' });
    expect(healthy.details.dynamodb).toMatchObject({ status: 'up', table: table.name });
    const unknown = await probe(() => indicator.isHealthy('dynamodb', { store: 'nope' }));
    expect(unknown.details.dynamodb?.message).toBe("No DynamoDB KV store named 'nope' is registered.");
    await app.close();
  });

  describe('caching DescribeTable per store', () => {
    async function describeCalls(cacheTtlMs: number, probes: (probe: HealthApp['probe']) => Promise<unknown>): Promise<number> {
      const registry = new Registry();
      const { app, probe } = await healthApp({ ...serverOptions(table.name), healthCheck: { cacheTtlMs }, metrics: { registry } });
      await probes(probe);
      await app.close();
      return sampleValue(registry, `${OPERATION_DURATION_METRIC}_count`, { operation: 'health_check' });
    }

    it('describes the table once for probes within the cache TTL, concurrent ones included', async () => {
      expect(await describeCalls(60_000, async (probe) => Promise.all([probe(), probe(), probe()]))).toBe(1);
      expect(await describeCalls(60_000, async (probe) => [await probe(), await probe(), await probe()])).toBe(1);
    });

    it('describes the table on every sequential probe when the cache is off', async () => {
      expect(await describeCalls(0, async (probe) => [await probe(), await probe(), await probe()])).toBe(3);
    });
  });
});
