import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { KvOutcomeUnknownError, KvUnavailableError, OperationAbortedError, TableNotFoundError } from '../../lib/index.js';
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

  it('answers a refused connection with KvUnavailableError (nothing changed), the address only in the cause, and reports health DOWN', async () => {
    const endpoint = await unreachableEndpoint();
    const { store } = await fixture.storeApp(at(endpoint));
    for (const call of [() => store.get('k'), () => store.set('k', 'v')]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KvUnavailableError);
      expect(error).toMatchObject({ code: 'UNAVAILABLE', table: 'failures' });
      expect((error as Error).message).toMatch(/^DynamoDB could not be reached for (get|set) on table 'failures'; nothing was changed\.$/);
      expect(String((error as Error).cause)).toMatch(/ECONNREFUSED/);
    }
    const health = await store.healthCheck();
    expect(health).toMatchObject({ status: 'DOWN' });
    expect(health.details.error).not.toContain(new URL(endpoint).port);
  });

  it('answers a write to a hanging endpoint with KvOutcomeUnknownError once its attempt times out', async () => {
    const hanging = await fixture.hangingServer();
    const { store } = await fixture.storeApp(at(hanging.endpoint));
    const error = await store.set('k', 'secret-value').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KvOutcomeUnknownError);
    expect((error as Error).message).toBe(
      "The set on table 'failures' failed (did not answer in time) after a request may have reached DynamoDB: the write may or may not have been applied. Read the key to know.",
    );
    await expect(store.get('k')).rejects.toBeInstanceOf(KvUnavailableError);
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
