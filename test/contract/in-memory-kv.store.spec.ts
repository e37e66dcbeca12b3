import { describeKvStoreContract, InMemoryKvStore } from '../../lib/testing/index.js';
import { JEST_API } from '../support/jest-contract-api.js';

/** The store's clock: the TTL checks move it on instead of waiting. */
let now = Date.now();

describeKvStoreContract(JEST_API, {
  name: 'InMemoryKvStore',
  open: async () => new InMemoryKvStore({ now: () => now }),
  advanceTime: async (ms) => {
    now += ms;
  },
});
