import { InMemoryKvStore } from '../../lib/index.js';
import { describeKvStoreContract } from './kv-store.contract.js';

describeKvStoreContract('InMemoryKvStore', async () => ({ store: new InMemoryKvStore(), teardown: async () => {} }));
