import { KvStoreError } from '../contract/kv-store.errors.js';

/**
 * `clear()` on a Keyv store without a namespace, over a store without a key prefix: it would delete every
 * item of the table, the data of other apps and stores included, so it is refused.
 */
export class UnscopedClearError extends KvStoreError {
  override readonly name = 'UnscopedClearError';
  override readonly code = 'UNSCOPED_CLEAR';

  constructor() {
    super(
      "Refused to clear: this Keyv store has no namespace and its KVStore no keyPrefix, so clear() would delete every item of the table. Give Keyv a namespace (its default is 'keyv') or the store a keyPrefix.",
    );
  }
}
