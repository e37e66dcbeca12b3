import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Registry } from 'prom-client';
import { DynamoKvModule, InvalidOptionsError, type DynamoKvModuleOptions } from '../../lib/index.js';
import { useFixture, useTable } from '../support/fixture.js';
import { serverOptions } from '../support/store-options.js';
import { TEST_CREDENTIALS, testEndpoint } from '../support/test-endpoint.js';

describe('DynamoKvModule options', () => {
  const table = useTable();
  const fixture = useFixture();

  it.each<[string, string, Partial<DynamoKvModuleOptions>]>([
    ['table', 'missing', { table: undefined }],
    ['table', 'too short', { table: 'ab' }],
    ['table', 'with a space', { table: 'my table' }],
    ['partitionKeyName', 'empty', { partitionKeyName: '' }],
    ['valueAttributeName', 'equal to the partition key name', { valueAttributeName: 'pk' }],
    ['valueAttributeName', 'the write-token attribute', { valueAttributeName: 'kvWriteToken' }],
    ['ttl.attributeName', 'the counter attribute', { ttl: { attributeName: 'kvCount' } }],
    ['maxPendingCalls', 'zero', { maxPendingCalls: 0 }],
    ['consistentRead', 'not a boolean', { consistentRead: 'yes' as unknown as boolean }],
    ['endpoint', 'not a URL', { endpoint: 'localhost:8000' }],
    ['region', 'empty', { region: '' }],
    ['region', 'given with a client', { client: new DynamoDBClient({}) }],
    ['healthCheck.timeoutMs', 'zero', { healthCheck: { timeoutMs: 0 } }],
    ['healthCheck.cacheTtlMs', 'negative', { healthCheck: { cacheTtlMs: -1 } }],
    ['metrics.enabled', 'not a boolean', { metrics: { enabled: 'no' as unknown as boolean } }],
    ['partitionKeyName', "'__proto__'", { partitionKeyName: '__proto__' }],
    ['valueAttributeName', "'__proto__'", { valueAttributeName: '__proto__' }],
    // Options that group settings: null, arrays and primitives were read as "all defaults", or threw a TypeError.
    ['batching', 'a string', { batching: 'off' as unknown as boolean }],
    ['batching', 'null', { batching: null as unknown as boolean }],
    ['batching', 'a number', { batching: 0 as unknown as boolean }],
    ['batchRetry', 'null', { batchRetry: null as unknown as object }],
    ['batchRetry', 'an array', { batchRetry: [] as unknown as object }],
    ['healthCheck', 'null', { healthCheck: null as unknown as object }],
    ['metrics', 'null', { metrics: null as unknown as object }],
    ['metrics', 'true', { metrics: true as unknown as object }],
    ['metrics.registry', 'null', { metrics: { registry: null as unknown as Registry } }],
    ['ttl', 'an array', { ttl: [] as unknown as object }],
    ['clientConfig', 'null', { clientConfig: null as unknown as object }],
    ['clientConfig', 'a string', { clientConfig: 'maxAttempts=1' as unknown as object }],
    ['clientConfig.requestHandler', 'null', { clientConfig: { requestHandler: null as unknown as object } }],
    ['credentials', 'null', { credentials: null as unknown as DynamoKvModuleOptions['credentials'] }],
    ['credentials', 'a string', { credentials: 'test:test' as unknown as DynamoKvModuleOptions['credentials'] }],
    ['client', 'null', { region: undefined, endpoint: undefined, credentials: undefined, client: null as unknown as DynamoDBClient }],
    ['client', 'a config object instead of a client', { region: undefined, endpoint: undefined, credentials: undefined, client: {} as DynamoDBClient }],
  ])('fails bootstrap naming %s when it is %s', async (option, _case, override) => {
    const options = { ...serverOptions(table.name), ...override } as DynamoKvModuleOptions;
    const error = await fixture.storeApp(options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ name: 'InvalidOptionsError', code: 'INVALID_OPTIONS', option });
    expect((error as Error).message).toContain(`'${option}'`);
  });

  it('registers nothing in the metrics registry when the options are invalid', async () => {
    const registry = new Registry();
    const imports = [DynamoKvModule.forRootAsync({ useFactory: () => ({ table: 'x', metrics: { registry } }) })];
    await expect(fixture.app({ imports })).rejects.toBeInstanceOf(InvalidOptionsError);
    expect(registry.getMetricsAsArray()).toEqual([]);
  });

  describe('region from the AWS default chain', () => {
    const saved = { ...process.env };

    beforeEach(() => {
      // Point the SDK's shared-config lookups at nothing, so that only what the test sets is found.
      process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
      process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
      delete process.env.AWS_REGION;
      delete process.env.AWS_DEFAULT_REGION;
      delete process.env.AWS_PROFILE;
    });

    afterEach(() => {
      process.env = { ...saved };
    });

    const withoutRegion = (): DynamoKvModuleOptions => ({
      table: table.name,
      endpoint: testEndpoint(),
      credentials: TEST_CREDENTIALS,
    });

    it('uses AWS_REGION when the option is absent', async () => {
      process.env.AWS_REGION = 'eu-west-3';
      const { store } = await fixture.storeApp(withoutRegion());
      await expect(store.healthCheck()).resolves.toMatchObject({ status: 'UP', details: { region: 'eu-west-3' } });
    });

    it('fails bootstrap clearly when no region can be found', async () => {
      const error = await fixture.storeApp(withoutRegion()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error).toMatchObject({ option: 'region' });
      expect((error as Error).message).toMatch(/AWS_REGION/);
    });
  });
});
