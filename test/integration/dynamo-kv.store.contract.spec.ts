import { describeKvStoreContract } from '../../lib/testing/index.js';
import { Fixture } from '../support/fixture.js';
import { JEST_API } from '../support/jest-contract-api.js';
import { serverOptions } from '../support/store-options.js';

// The whole contract twice: with automatic batching (the default) and without it.
for (const enabled of [true, false]) {
  const fixture = new Fixture();
  describeKvStoreContract(JEST_API, {
    name: `DynamoKvStore on a DynamoDB-protocol server, batching ${enabled ? 'on' : 'off'}`,
    open: async () => {
      const table = await fixture.table();
      return (await fixture.storeApp({ ...serverOptions(table.name), batching: { enabled } })).store;
    },
    close: () => fixture.close(),
  });
}
