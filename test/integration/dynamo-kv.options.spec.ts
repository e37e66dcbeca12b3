import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvalidOptionsError, type DynamoKvModuleOptions } from '../../lib/index.js';
import { serverOptions, startStoreApp } from '../support/store-app.js';
import { TEST_CREDENTIALS, createTestTable, testEndpoint, type TestTable } from '../support/test-endpoint.js';

describe('DynamoKvModule options', () => {
  let table: TestTable;

  beforeAll(async () => {
    table = await createTestTable();
  });

  afterAll(() => table.drop());

  it.each<[string, string, Partial<DynamoKvModuleOptions>]>([
    ['table', 'missing', { table: undefined }],
    ['table', 'too short', { table: 'ab' }],
    ['table', 'with a space', { table: 'my table' }],
    ['partitionKeyName', 'empty', { partitionKeyName: '' }],
    ['valueAttributeName', 'equal to the partition key name', { valueAttributeName: 'pk' }],
    ['consistentRead', 'not a boolean', { consistentRead: 'yes' as unknown as boolean }],
    ['endpoint', 'not a URL', { endpoint: 'localhost:8000' }],
    ['region', 'empty', { region: '' }],
    ['region', 'given with a client', { client: new DynamoDBClient({}) }],
    ['healthCheck.timeoutMs', 'zero', { healthCheck: { timeoutMs: 0 } }],
    ['healthCheck.cacheTtlMs', 'negative', { healthCheck: { cacheTtlMs: -1 } }],
    ['metrics.enabled', 'not a boolean', { metrics: { enabled: 'no' as unknown as boolean } }],
  ])('fails bootstrap naming %s when it is %s', async (option, _case, override) => {
    const options = { ...serverOptions(table.name), ...override } as DynamoKvModuleOptions;
    const error = await startStoreApp(options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ name: 'InvalidOptionsError', code: 'INVALID_OPTIONS', option });
    expect((error as Error).message).toContain(`'${option}'`);
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
      const { app, store } = await startStoreApp(withoutRegion());
      await expect(store.healthCheck()).resolves.toMatchObject({ status: 'UP', details: { region: 'eu-west-3' } });
      await app.close();
    });

    it('fails bootstrap clearly when no region can be found', async () => {
      const error = await startStoreApp(withoutRegion()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error).toMatchObject({ option: 'region' });
      expect((error as Error).message).toMatch(/AWS_REGION/);
    });
  });
});
