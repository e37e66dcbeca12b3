export { InMemoryKvStore, type InMemoryKvStoreOptions } from './in-memory-kv.store.js';
export { DynamoKvTestingModule, type DynamoKvTestingModuleOptions } from './dynamo-kv-testing.module.js';
export { describeKvStoreContract, type KvStoreCapabilities } from './contract/kv-store.contract.js';
export type { ContractTestApi, KvStoreContractSubject } from './contract/contract-test-api.js';
