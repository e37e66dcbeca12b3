import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { KvStoreError, OperationAbortedError, TableNotFoundError } from '../../lib/index.js';
import { useFixture } from '../support/fixture.js';
import { unreachableEndpoint } from '../support/silent-servers.js';
import { optionsAt, serverOptions } from '../support/store-options.js';
import { TEST_REGION, createTableAt, uniqueTableName } from '../support/test-endpoint.js';

/** One attempt and short timeouts, so that failures surface in test time rather than after retries. */
const FAIL_FAST = { maxAttempts: 1, requestHandler: { connectionTimeout: 500, requestTimeout: 500 } };

const at = (endpoint: string) => optionsAt(endpoint, 'failures', FAIL_FAST);

describe('DynamoKvStore failures', () => {
  const fixture = useFixture();

  it('rejects every operation on a missing table with TableNotFoundError and reports health DOWN', async () => {
    const missing = uniqueTableName('missing');
    const { store } = await fixture.storeApp(serverOptions(missing));
    for (const operation of [() => store.get('k'), () => store.set('k', 'v'), () => store.delete('k')]) {
      const error = await operation().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TableNotFoundError);
      expect(error).toMatchObject({ code: 'TABLE_NOT_FOUND', table: missing });
      expect((error as Error).cause).toBeInstanceOf(ResourceNotFoundException);
      expect((error as Error).message).toContain(missing);
    }
    const health = await store.healthCheck();
    expect(health).toMatchObject({ status: 'DOWN', details: { table: missing, region: TEST_REGION } });
    expect(health.details.error).toMatch(/not found/);
    await expect(store.assertHealthy()).rejects.toBeInstanceOf(TableNotFoundError);
  });

  it('reports a table that is not ACTIVE yet as DOWN with its status', async () => {
    // dynalite keeps the process alive until the table turns ACTIVE, so the fixture waits for that.
    const server = await fixture.dynalite({ createTableMs: 1_000 });
    await createTableAt(server.endpoint, 'failures');
    const { store } = await fixture.storeApp(at(server.endpoint));
    const health = await store.healthCheck();
    expect(health).toMatchObject({ status: 'DOWN', details: { tableStatus: 'CREATING' } });
    expect(health.details.error).toMatch(/CREATING, not ACTIVE/);
  });

  it('wraps a refused connection in KvStoreError with the cause, and reports health DOWN', async () => {
    const { store } = await fixture.storeApp(at(await unreachableEndpoint()));
    const error = await store.get('k').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KvStoreError);
    expect(error).toMatchObject({ name: 'KvStoreError', operation: 'get', table: 'failures' });
    expect(String((error as Error).cause)).toMatch(/ECONNREFUSED/);
    await expect(store.healthCheck()).resolves.toMatchObject({ status: 'DOWN' });
  });

  it('fails a request to a hanging endpoint once the request timeout passes', async () => {
    const hanging = await fixture.hangingServer();
    const { store } = await fixture.storeApp(at(hanging.endpoint));
    const error = await store.set('k', 'secret-value').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KvStoreError);
    expect((error as Error).message).toMatch(/timed? ?out/i);
    expect((error as Error).message).not.toContain('secret-value');
  });

  it('cancels a health check through its signal', async () => {
    const hanging = await fixture.hangingServer();
    const { store } = await fixture.storeApp({ ...at(hanging.endpoint), clientConfig: { maxAttempts: 1 } });
    const health = await store.healthCheck({ signal: AbortSignal.timeout(200) });
    expect(health.status).toBe('DOWN');
    expect(health.details.error).toMatch(/abort/i);
    await expect(store.assertHealthy({ signal: AbortSignal.timeout(200) })).rejects.toBeInstanceOf(OperationAbortedError);
  });
});
