import { describeKvStoreContract, InMemoryKvStore } from '../../lib/testing/index.js';
import { JEST_API } from '../support/jest-contract-api.js';

describeKvStoreContract(JEST_API, { name: 'InMemoryKvStore', open: async () => new InMemoryKvStore() });
