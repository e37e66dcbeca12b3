import { startDynalite, type RunningServer } from '../support/dynalite-server.js';
import { startStoreApp } from '../support/store-app.js';
import { TEST_CREDENTIALS, TEST_REGION, createTableCommand, testClient } from '../support/test-endpoint.js';

describe('DynamoKvModule shutdown', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startDynalite();
    const client = testClient(server.endpoint);
    await client.send(createTableCommand('shutdown'));
    client.destroy();
  });

  afterAll(() => server.close());

  it("destroys the store's own client on app.close(), closing its keep-alive connections", async () => {
    const options = { table: 'shutdown', endpoint: server.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };
    const { app, store } = await startStoreApp(options);
    await store.set('k', 'v');
    expect(await server.openConnections()).toBeGreaterThan(0);

    await app.close();

    await waitFor(async () => (await server.openConnections()) === 0);
    expect(await server.openConnections()).toBe(0);
  });
});

/** Polls a condition a bounded number of times: socket closes reach the server asynchronously. */
async function waitFor(condition: () => Promise<boolean>, attempts = 50): Promise<void> {
  for (let attempt = 0; attempt < attempts && !(await condition()); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
