import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { jest } from '@jest/globals';
import { useFixture, useTable } from '../support/fixture.js';
import { serverOptions } from '../support/store-options.js';

describe("the store's DynamoDB client", () => {
  const table = useTable();
  const fixture = useFixture();

  afterEach(() => jest.restoreAllMocks());

  it('resolves the middleware stack once per command, calls with a signal included (cacheMiddleware holds on the SDK path)', async () => {
    const resolve = jest.spyOn(GetItemCommand.prototype, 'resolveMiddleware');
    // The lean path (the default) resolves no middleware at all: see lean-data-plane.spec.ts.
    const { store } = await fixture.storeApp({ ...serverOptions(table.name), batching: { enabled: false }, dataPlane: 'sdk' });
    await store.set('cached', 'v');
    for (const signal of [undefined, AbortSignal.timeout(5_000), undefined, new AbortController().signal]) {
      await expect(store.get('cached', { signal })).resolves.toBe('v');
    }
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it("leaves an application's own client as it is: middleware added after its first call still runs", async () => {
    const client = fixture.client();
    const { store } = await fixture.storeApp({ table: table.name, client, batching: { enabled: false } });
    await store.set('own-client', 'v');
    const seen: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        seen.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    await store.get('own-client', { signal: AbortSignal.timeout(5_000) });
    await store.get('own-client');
    expect(seen).toEqual(['GetItemCommand', 'GetItemCommand']);
  });
});
