import { describeKvStoreContract } from '../contract/kv-store.contract.js';
import { serverOptions, startStoreApp } from '../support/store-app.js';
import { createTestTable } from '../support/test-endpoint.js';

describeKvStoreContract('DynamoKvStore on a DynamoDB-protocol server', async () => {
  const table = await createTestTable();
  const { app, store } = await startStoreApp(serverOptions(table.name));
  return {
    store,
    teardown: async () => {
      await app.close();
      await table.drop();
    },
  };
});
