import { KvStoreError } from '../../contract/kv-store.errors.js';

/** `@KvExclusive(name, options)` was given a bad name or option, or decorates something it cannot wrap. */
export class KvExclusiveOptionsError extends KvStoreError {
  override readonly name = 'KvExclusiveOptionsError';
  override readonly code = 'INVALID_EXCLUSIVE_OPTIONS';

  constructor(
    readonly option: string,
    reason: string,
    cause?: unknown,
  ) {
    super(`@KvExclusive ${option} ${reason}`, { cause });
  }
}

/**
 * `currentKvLease()` was called outside a `@KvExclusive` method, or a decorated method was called on
 * an object with no store injected (one Nest did not build from its class) or detached from its object.
 */
export class NotInExclusiveRunError extends KvStoreError {
  override readonly name = 'NotInExclusiveRunError';
  override readonly code = 'NOT_IN_EXCLUSIVE_RUN';
}
