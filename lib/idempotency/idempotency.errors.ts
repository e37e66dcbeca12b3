import { KvStoreError } from '../contract/kv-store.errors.js';

/** An option of `KvIdempotencyInterceptor` or `@Idempotent()` is wrong; raised when it is given, naming the option. */
export class InvalidIdempotencyOptionsError extends KvStoreError {
  override readonly name = 'InvalidIdempotencyOptionsError';
  override readonly code = 'INVALID_IDEMPOTENCY_OPTIONS';

  constructor(
    readonly option: string,
    reason: string,
  ) {
    super(`Idempotency option '${option}' ${reason}`);
  }
}

/** `@Idempotent()` on a route that sends its response itself: it has no response to store and replay. Raised at start-up. */
export class UnsupportedIdempotentRouteError extends KvStoreError {
  override readonly name = 'UnsupportedIdempotentRouteError';
  override readonly code = 'UNSUPPORTED_IDEMPOTENT_ROUTE';

  constructor(
    /** `Controller.method`. */
    readonly route: string,
  ) {
    super(
      `@Idempotent() cannot serve ${route}: it sends its response itself (@Res() or @Next() without passthrough), ` +
        'so there is no response to store and replay. Use @Res({ passthrough: true }) and return the body, or leave the route without @Idempotent().',
    );
  }
}
