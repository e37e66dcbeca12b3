import { describeKvStoreContract } from '../../lib/testing/index.js';
import { Fixture } from '../support/fixture.js';
import { JEST_API } from '../support/jest-contract-api.js';
import { serverOptions } from '../support/store-options.js';

const fixture = new Fixture();

describeKvStoreContract(JEST_API, {
  name: 'DynamoKvStore on a DynamoDB-protocol server',
  open: async () => {
    const table = await fixture.table();
    return (await fixture.storeApp(serverOptions(table.name))).store;
  },
  close: () => fixture.close(),
});
