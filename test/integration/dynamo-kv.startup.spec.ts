import { Controller, Get, Inject, UseFilters } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  DynamoKvModule,
  KV_STORE,
  KvCredentialsError,
  KvHttpExceptionFilter,
  KvStoreError,
  StartupCheckError,
  type DynamoKvModuleForRootOptions,
  type KVStore,
} from '../../lib/index.js';
import { useFixture, useTable } from '../support/fixture.js';
import { LogCapture } from '../support/log-capture.js';
import { unreachableEndpoint } from '../support/silent-servers.js';
import { optionsAt, serverOptions } from '../support/store-options.js';
import { TEST_REGION, testEndpoint, uniqueTableName } from '../support/test-endpoint.js';

/** The AWS variables a developer's shell may have; the credential tests need a chain that finds nothing. */
const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE'];

describe('start-up: the table is checked, and a misconfigured store says so', () => {
  const table = useTable();
  const fixture = useFixture();

  it("warns once, naming store, table, region and endpoint, when the table is missing (startupCheck: 'warn', the default)", async () => {
    const capture = new LogCapture();
    const missing = uniqueTableName('missing');
    await fixture.storeApp(serverOptions(missing), capture);
    const warning = await eventually(() => capture.from('DynamoKvModule').find((line) => line.level === 'warn'));
    expect(String(warning.message)).toBe(
      `Store 'default' (table '${missing}' in region '${TEST_REGION}' at ${testEndpoint()}) cannot serve: ` +
        `Table '${missing}' was not found in region '${TEST_REGION}'. Create it with a string partition key, or point the store at the right table, region or endpoint.`,
    );
  });

  it('says nothing more when the table is there', async () => {
    const capture = new LogCapture();
    const { store } = await fixture.storeApp(serverOptions(table.name), capture);
    await store.healthCheck();
    expect(capture.lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  });

  it("fails bootstrap with StartupCheckError when asked to (startupCheck: 'fail')", async () => {
    const missing = uniqueTableName('missing');
    const error = await fixture.storeApp({ ...serverOptions(missing), startupCheck: 'fail' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StartupCheckError);
    expect((error as Error).message).toMatch(new RegExp(`^Store 'default' \\(table '${missing}' in region .*\\) cannot serve: Table '${missing}' was not found`));
  });

  it("checks nothing with startupCheck: 'off'", async () => {
    const capture = new LogCapture();
    await fixture.storeApp({ ...serverOptions(uniqueTableName('missing')), startupCheck: 'off' }, capture);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(capture.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('names the store and table, in words, when createTable cannot reach DynamoDB', async () => {
    const endpoint = await unreachableEndpoint();
    const error = await fixture.storeApp({ ...optionsAt(endpoint, 'created'), createTable: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KvStoreError);
    expect((error as Error).message).toBe(
      `Store 'default' (table 'created' in region '${TEST_REGION}' at ${endpoint}) could not prepare its table (createTable): DynamoDB could not be reached.`,
    );
  });

  describe('without AWS credentials', () => {
    const saved = new Map<string, string | undefined>();
    beforeAll(() => {
      for (const name of CREDENTIAL_VARIABLES) saved.set(name, process.env[name]);
      for (const name of CREDENTIAL_VARIABLES) delete process.env[name];
      // Files the chain would read otherwise: none.
      process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
      process.env.AWS_CONFIG_FILE = '/nonexistent/config';
    });
    afterAll(() => {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    function noCredentialsOptions(): DynamoKvModuleForRootOptions {
      return { table: table.name, endpoint: testEndpoint(), region: TEST_REGION };
    }

    it('answers calls with KvCredentialsError (NO_CREDENTIALS), not as a network failure, and health says so', async () => {
      const capture = new LogCapture();
      const { store } = await fixture.storeApp(noCredentialsOptions(), capture);
      const error = await store.get('k').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KvCredentialsError);
      expect(error).toMatchObject({ code: 'NO_CREDENTIALS', operation: 'get', table: table.name });
      expect((error as Error).message).toMatch(/^No AWS credentials to sign requests to table/);
      await expect(store.set('k', 'v')).rejects.toBeInstanceOf(KvCredentialsError);
      const health = await store.healthCheck();
      expect(health).toMatchObject({ status: 'DOWN', details: { error: expect.stringMatching(/^No AWS credentials/) } });
      const warning = await eventually(() => capture.from('DynamoKvModule').find((line) => line.level === 'warn'));
      expect(String(warning.message)).toMatch(/cannot serve: No AWS credentials/);
    });

    it('is answered over HTTP as a configuration error: 503 without Retry-After', async () => {
      const imports = [DynamoKvModule.forRoot({ ...noCredentialsOptions(), startupCheck: 'off' })];
      const app = await fixture.httpApp({ imports, controllers: [ProbeController] }, new FastifyAdapter());
      const response = await fetch(`${await app.getUrl()}/probe`);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBeNull();
      expect(await response.json()).toMatchObject({ error: 'NO_CREDENTIALS' });
    });
  });
});

@Controller()
@UseFilters(KvHttpExceptionFilter)
class ProbeController {
  constructor(@Inject(KV_STORE) private readonly store: KVStore) {}

  @Get('probe')
  probe(): Promise<string> {
    return this.store.get('k');
  }
}

/** What `find` returns once it returns something, within 5 s. */
async function eventually<T>(find: () => T | undefined): Promise<T> {
  for (const until = Date.now() + 5_000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 20))) {
    const found = find();
    if (found !== undefined) return found;
  }
  throw new Error('Not found within 5 s.');
}
