import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { KV_STORE, KvIdempotencyInterceptor, type KVStore } from 'nestjs-dynamodb-kv';

/**
 * `Idempotency-Key` for the routes that name this interceptor in `@UseInterceptors` (and are marked
 * `@Idempotent()`), rather than app-wide: an APP_INTERCEPTOR puts every request through Nest's
 * interceptor chain, about 20 µs of CPU a request here, on the routes that take no keys too.
 */
@Injectable()
export class IdempotencyKeysInterceptor extends KvIdempotencyInterceptor {
  constructor(@Inject(KV_STORE) store: KVStore, @Inject(HttpAdapterHost) adapterHost: HttpAdapterHost) {
    super(store, adapterHost);
  }
}
