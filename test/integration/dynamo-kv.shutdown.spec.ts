import { jest } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RunningServer } from '../support/dynalite-server.js';
import { useFixture } from '../support/fixture.js';
import { optionsAt } from '../support/store-options.js';
import { createTableAt } from '../support/test-endpoint.js';

describe('DynamoKvModule shutdown', () => {
  const shared = useFixture('all');
  const fixture = useFixture();
  let server: RunningServer;

  beforeAll(async () => {
    server = await shared.dynalite();
    await createTableAt(server.endpoint, 'shutdown');
  });

  it("destroys the store's own client on app.close(), closing its keep-alive connections", async () => {
    const { app, store } = await fixture.storeApp(optionsAt(server.endpoint, 'shutdown'));
    await store.set('k', 'v');
    expect(await server.openConnections()).toBeGreaterThan(0);

    await app.close();

    await waitFor(async () => (await server.openConnections()) === 0);
    expect(await server.openConnections()).toBe(0);
  });

  it('destroys the client exactly once, however often the app closes', async () => {
    const destroy = jest.spyOn(DynamoDBClient.prototype, 'destroy');
    fixture.defer(() => destroy.mockRestore());
    const { app } = await fixture.storeApp(optionsAt(server.endpoint, 'shutdown'));
    await app.close();
    await app.close();
    expect(destroy).toHaveBeenCalledTimes(1);
  });
});

/** Polls a condition a bounded number of times: socket closes reach the server asynchronously. */
async function waitFor(condition: () => Promise<boolean>, attempts = 50): Promise<void> {
  for (let attempt = 0; attempt < attempts && !(await condition()); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
