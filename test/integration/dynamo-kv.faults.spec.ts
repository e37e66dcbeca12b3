import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { KvOutcomeUnknownError, KvThrottledError, KvUnavailableError, OperationAbortedError, type KvStoreError, type KVStore } from '../../lib/index.js';
import { useFixture, useTable } from '../support/fixture.js';
import { optionsAt } from '../support/store-options.js';

/** What no error message may show: addresses, the SDK's internals, upstream HTML. */
function expectNoInternals(error: unknown): void {
  const message = (error as Error).message;
  for (const internal of ['127.0.0.1', 'ECONN', '@smithy', 'html', 'socket']) expect(message).not.toContain(internal);
}

describe('DynamoKvStore under faults (a fault-injecting proxy in front of a real server)', () => {
  const table = useTable();
  const fixture = useFixture();

  async function storeBehindProxy(options: Record<string, unknown> = {}) {
    const proxy = await fixture.faultProxy();
    const settings = { ...optionsAt(proxy.endpoint, table.name), healthCheck: { cacheTtlMs: 0 }, batching: { enabled: false }, ...options };
    const { store } = await fixture.storeApp(settings);
    return { proxy, store };
  }

  it('starts while DynamoDB is down, reports why, fails calls fast, and recovers without a restart', async () => {
    const proxy = await fixture.faultProxy();
    await proxy.stop();
    const { store } = await fixture.storeApp({ ...optionsAt(proxy.endpoint, table.name), healthCheck: { cacheTtlMs: 0 } });

    const down = await store.healthCheck();
    expect(down).toMatchObject({ status: 'DOWN', details: { error: expect.stringMatching(/^DynamoDB could not be reached/) } });
    const error = await store.get('k').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KvUnavailableError);
    expectNoInternals(error);
    await expect(store.set('k', 'v')).rejects.toBeInstanceOf(KvUnavailableError);

    await proxy.restart();
    await expect(store.healthCheck()).resolves.toMatchObject({ status: 'UP' });
    await store.set('k', 'back');
    await expect(store.get('k')).resolves.toBe('back');
  });

  it('ends every call within its budget (timeoutMs) however the endpoint hangs, attempts and retries included', async () => {
    const { proxy, store } = await storeBehindProxy({ timeoutMs: 400, clientConfig: { requestHandler: { requestTimeout: 5_000 } } });
    proxy.inject({ operation: 'GetItem', fault: 'hang' });
    const started = Date.now();
    const error = (await store.get('k').catch((caught: unknown) => caught)) as KvStoreError;
    // The per-attempt timeout (5 s) never fired: the budget did.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(KvUnavailableError);
    expect(error.message).toBe(`DynamoDB did not answer within 400 ms for get on table '${table.name}'; nothing was changed.`);
  });

  describe.each(['lean path', 'SDK path', "an app's own client"] as const)('lets go of a request it stops waiting for (%s)', (path) => {
    // Without this the socket stays taken until the handler's own requestTimeout, or for good without one.
    async function hungRequestEnds(timeoutMs: number, call: (store: KVStore) => Promise<unknown>, expected: (error: unknown) => void): Promise<void> {
      const proxy = await fixture.faultProxy();
      const connection =
        path === "an app's own client"
          ? { client: fixture.client(proxy.endpoint) }
          : { ...optionsAt(proxy.endpoint, table.name, { requestHandler: { requestTimeout: 60_000 } }), dataPlane: path === 'lean path' ? ('lean' as const) : ('sdk' as const) };
      const { store } = await fixture.storeApp({ ...connection, table: table.name, batching: { enabled: false }, timeoutMs });
      proxy.inject({ operation: 'GetItem', fault: 'hang' });
      expected(await call(store).catch((error: unknown) => error));
      expect(proxy.requests('GetItem')).toBe(1);
      const deadline = Date.now() + 2_000;
      while (proxy.hung() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(proxy.hung()).toBe(0);
    }

    it('when its budget runs out', async () => {
      await hungRequestEnds(
        300,
        (store) => store.get('k'),
        (error) => {
          expect(error).toBeInstanceOf(KvUnavailableError);
          expect((error as Error).message).toBe(`DynamoDB did not answer within 300 ms for get on table '${table.name}'; nothing was changed.`);
        },
      );
    });

    it("when the caller's signal aborts", async () => {
      const reason = new Error('the caller gave up');
      await hungRequestEnds(
        30_000,
        (store) => {
          // Started with the call, once the store is up: the abort must find the request on the wire.
          const controller = new AbortController();
          setTimeout(() => controller.abort(reason), 200).unref();
          return store.get('k', { signal: controller.signal });
        },
        (error) => {
          expect(error).toBeInstanceOf(OperationAbortedError);
          expect(error).toMatchObject({ operation: 'get', cause: reason });
        },
      );
    });
  });

  it('tells a write that may have been applied (reset after it arrived) from one that was refused', async () => {
    const { proxy, store } = await storeBehindProxy();
    proxy.inject({ operation: 'PutItem', fault: 'reset-after-forward' });
    const error = await store.set('reset', 'new value').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KvOutcomeUnknownError);
    expect(error).toMatchObject({ code: 'OUTCOME_UNKNOWN', operation: 'set' });
    expectNoInternals(error);
    // It was applied, though the caller got an error: hence "unknown", not "failed".
    const { Item } = await table.client.send(new GetItemCommand({ TableName: table.name, Key: { pk: { S: 'reset' } }, ConsistentRead: true }));
    expect(Item?.value).toEqual({ S: 'new value' });

    proxy.inject({ operation: 'GetItem', fault: 'reset-after-forward' });
    await expect(store.get('reset')).rejects.toBeInstanceOf(KvUnavailableError);
  });

  it('answers HTTP 500s without their body: unavailable for reads, outcome unknown for writes', async () => {
    const { proxy, store } = await storeBehindProxy();
    proxy.inject({ operation: 'GetItem', fault: 'http-500' });
    proxy.inject({ operation: 'DeleteItem', fault: 'http-500' });
    const read = await store.get('k').catch((caught: unknown) => caught);
    expect(read).toBeInstanceOf(KvUnavailableError);
    expect((read as Error).message).toBe(`DynamoDB answered with a server error (HTTP 500) for get on table '${table.name}'; nothing was changed.`);
    const write = await store.delete('k').catch((caught: unknown) => caught);
    expect(write).toBeInstanceOf(KvOutcomeUnknownError);
    expectNoInternals(write);
  });

  it('rides out throttling a few times, and answers KvThrottledError when it does not stop', async () => {
    const { proxy, store } = await storeBehindProxy();
    proxy.inject({ operation: 'PutItem', fault: 'throttle', times: 1 });
    await store.set('throttled', 'v');
    proxy.inject({ operation: 'GetItem', fault: 'throttle' });
    const error = await store.get('throttled').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KvThrottledError);
    expect(error).toMatchObject({ code: 'THROTTLED', message: `DynamoDB throttled get on table '${table.name}' through every retry; nothing was changed.` });
  });

  it('fails bootstrap within startupTimeoutMs, saying why, when the endpoint never answers', async () => {
    const hanging = await fixture.hangingServer();
    const started = Date.now();
    const error = await fixture
      .storeApp({ ...optionsAt(hanging.endpoint, 'never-ready'), createTable: true, startupTimeoutMs: 500 })
      .catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(KvUnavailableError);
    expect((error as Error).message).toBe(
      "Store 'default' was not ready within 500 ms: DynamoDB did not answer while preparing table 'never-ready' (createTable).",
    );
  });
});
