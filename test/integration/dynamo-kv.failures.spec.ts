import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { KvStoreError, TableNotFoundError } from '../../lib/index.js';
import { startDynalite } from '../support/dynalite-server.js';
import { startHangingServer, unreachableEndpoint } from '../support/silent-servers.js';
import { optionsAt, serverOptions, startStoreApp } from '../support/store-app.js';
import { TEST_REGION, createTableCommand, testClient, uniqueTableName } from '../support/test-endpoint.js';

/** One attempt and short timeouts, so that failures surface in test time rather than after retries. */
const FAIL_FAST = { maxAttempts: 1, requestHandler: { connectionTimeout: 500, requestTimeout: 500 } };

const at = (endpoint: string) => optionsAt(endpoint, 'failures', FAIL_FAST);

describe('DynamoKvStore failures', () => {
  it('rejects every operation on a missing table with TableNotFoundError and reports health DOWN', async () => {
    const missing = uniqueTableName('missing');
    const { app, store } = await startStoreApp(serverOptions(missing));
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
    await app.close();
  });

  it('reports a table that is not ACTIVE yet as DOWN with its status', async () => {
    const server = await startDynalite({ createTableMs: 1_000 }) // dynalite keeps the process alive until the table turns ACTIVE;
    const client = testClient(server.endpoint);
    await client.send(createTableCommand('failures'));
    const { app, store } = await startStoreApp(at(server.endpoint));
    const health = await store.healthCheck();
    expect(health).toMatchObject({ status: 'DOWN', details: { tableStatus: 'CREATING' } });
    expect(health.details.error).toMatch(/CREATING, not ACTIVE/);
    await app.close();
    client.destroy();
    await server.close();
  });

  it('wraps a refused connection in KvStoreError with the cause, and reports health DOWN', async () => {
    const { app, store } = await startStoreApp(at(await unreachableEndpoint()));
    const error = await store.get('k').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KvStoreError);
    expect(error).toMatchObject({ name: 'KvStoreError', operation: 'get', table: 'failures' });
    expect(String((error as Error).cause)).toMatch(/ECONNREFUSED/);
    await expect(store.healthCheck()).resolves.toMatchObject({ status: 'DOWN' });
    await app.close();
  });

  it('fails a request to a hanging endpoint once the request timeout passes', async () => {
    const hanging = await startHangingServer();
    const { app, store } = await startStoreApp(at(hanging.endpoint));
    const error = await store.set('k', 'secret-value').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KvStoreError);
    expect((error as Error).message).toMatch(/timed? ?out/i);
    expect((error as Error).message).not.toContain('secret-value');
    await app.close();
    await hanging.close();
  });

  it('cancels a health check through its signal', async () => {
    const hanging = await startHangingServer();
    const { app, store } = await startStoreApp({ ...at(hanging.endpoint), clientConfig: { maxAttempts: 1 } });
    const health = await store.healthCheck({ signal: AbortSignal.timeout(200) });
    expect(health.status).toBe('DOWN');
    expect(health.details.error).toMatch(/abort/i);
    await app.close();
    await hanging.close();
  });
});
