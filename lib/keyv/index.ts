export { KeyvKvStore, type KeyvEntryWrite, type KeyvKvStoreOptions } from './keyv-kv.store.js';
export { UnscopedClearError } from './unscoped-clear.error.js';
