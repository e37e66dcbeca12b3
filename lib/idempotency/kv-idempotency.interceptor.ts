import { HttpException, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector, type HttpAdapterHost } from '@nestjs/core';
import { catchError, mergeMap, Observable, of, throwError } from 'rxjs';
import type { KVStore } from '../contract/kv-store.interface.js';
import { fingerprintedRequest, type HttpRequest } from './fingerprinted-request.js';
import { HandlerStatus } from './handler-status.js';
import { keepHoldAlive } from './hold-keep-alive.js';
import { IDEMPOTENT_ROUTE_METADATA } from './idempotent.decorator.js';
import { InvalidIdempotencyOptionsError } from './idempotency.errors.js';
import { IDEMPOTENCY_KEY_HEADER, readIdempotencyKey } from './idempotency-key.header.js';
import type { StoredResponse } from './idempotency-record.js';
import { IdempotencyRecords, type Claim, type Hold } from './idempotency-records.js';
import { idempotencyStoreKey } from './idempotency-store-key.js';
import { bodyUnreadable, keyInvalid, keyMissing, KvIdempotencyException } from './kv-idempotency.exception.js';
import {
  resolveIdempotencySettings,
  type IdempotencySettings,
  type IdempotentRouteOptions,
  type KvIdempotencyOptions,
} from './kv-idempotency.options.js';
import { replayedBody } from './replayable-response.js';
import { requestFingerprint } from './request-fingerprint.js';
import { sendsOwnResponse } from './route-response.js';
import { RunSettlement, type HeldRun, type RunOutcome } from './run-settlement.js';

/** Sent with every replayed response, as Stripe does: the draft names no header for it. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** The settings of one request: the interceptor's, with its route's over them. */
interface RouteSettings {
  required: boolean;
  inProgressTtlSeconds: number;
  keepSeconds: number;
}

/**
 * The `Idempotency-Key` header (draft-ietf-httpapi-idempotency-key-header) for the routes marked
 * `@Idempotent()`, over a `KVStore`, so that every instance of the app shares the keys. The first request
 * with a key holds it while its handler runs (renewing the hold); a repeat with the same method, URL,
 * content type and body gets the stored response (status, body, the `replayedHeaders`, plus
 * `Idempotent-Replayed: true`) without the handler running; a repeat while the first runs gets 409, one
 * with another request 422, a missing (when required) or malformed key 400, all in the library's error
 * JSON. A 4xx failure frees the key; any other outcome is kept (see the docs' "When things fail").
 *
 * Register it once, globally, before other interceptors (so that a replay skips them too):
 * `{ provide: APP_INTERCEPTOR, inject: [KV_STORE, HttpAdapterHost], useFactory: (store, host) =>
 * new KvIdempotencyInterceptor(store, host, options) }`; or, when no other global interceptor maps
 * responses, first in `@UseInterceptors` on its routes, as an injectable subclass (see the docs).
 */
export class KvIdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(KvIdempotencyInterceptor.name);
  private readonly reflector = new Reflector();
  private readonly settings: IdempotencySettings;
  private readonly records: IdempotencyRecords;
  private readonly settlement: RunSettlement;
  /** The routes already warned about for sending their own response: once each is enough. */
  private readonly warnedOwnResponse = new Set<string>();

  constructor(
    store: KVStore,
    private readonly adapterHost: HttpAdapterHost,
    options: KvIdempotencyOptions = {},
  ) {
    this.settings = resolveIdempotencySettings(options);
    this.records = new IdempotencyRecords(store);
    this.settlement = new RunSettlement(this.records, adapterHost, this.settings.replayedHeaders, this.logger);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const route = this.routeSettings(context);
    if (route === undefined) return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<unknown>();
    return this.claimed(() => this.claim(context, request, route)).pipe(
      catchError((error: unknown) => {
        if (error instanceof KvIdempotencyException && error.retryAfterSeconds !== undefined) {
          this.adapterHost.httpAdapter.setHeader(response, 'Retry-After', String(error.retryAfterSeconds));
        }
        return throwError(() => error);
      }),
      mergeMap((claim) => {
        if (claim === undefined) return next.handle();
        if (claim.kind === 'replay') return this.replay(response, claim.response);
        return this.runHolding(this.heldRun(claim.hold, route, context, response), next);
      }),
    );
  }

  /**
   * The claim, as an Observable. When the subscriber leaves before the claim is settled (an outer
   * `timeout()` gave up while the store answered), a key the claim took is freed at once: nothing ran.
   */
  private claimed(claim: () => Promise<Claim | undefined>): Observable<Claim | undefined> {
    return new Observable<Claim | undefined>((subscriber) => {
      claim().then(
        (result) => {
          if (!subscriber.closed) {
            subscriber.next(result);
            subscriber.complete();
          } else if (result?.kind === 'held') {
            // Best effort: if this fails too, the key answers 409 until its in-progress record expires.
            this.records.release(result.hold).catch(() => undefined);
          }
        },
        (error: unknown) => subscriber.error(error),
      );
    });
  }

  /** Undefined for what the interceptor leaves alone: non-HTTP contexts, and routes without `@Idempotent()`. */
  private routeSettings(context: ExecutionContext): RouteSettings | undefined {
    if (context.getType() !== 'http') return undefined;
    const route = this.reflector.getAllAndOverride<IdempotentRouteOptions | undefined>(IDEMPOTENT_ROUTE_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (route === undefined) return undefined;
    return {
      required: route.required ?? false,
      inProgressTtlSeconds: route.inProgressTtlSeconds ?? this.settings.inProgressTtlSeconds,
      keepSeconds: route.keepSeconds ?? this.settings.keepSeconds,
    };
  }

  /** Undefined when the request has no key and the route does not require one: it runs as if not idempotent. */
  private async claim(context: ExecutionContext, request: HttpRequest, route: RouteSettings): Promise<Claim | undefined> {
    const reading = readIdempotencyKey(request.headers?.[IDEMPOTENCY_KEY_HEADER]);
    if (reading.kind === 'missing') {
      if (route.required) throw keyMissing();
      return undefined;
    }
    if (reading.kind === 'invalid') throw keyInvalid(reading.reason);
    const fingerprinted = fingerprintedRequest(request, this.adapterHost.httpAdapter);
    if (fingerprinted === undefined) throw bodyUnreadable();
    const key = idempotencyStoreKey(this.settings.keyPrefix, this.scopeOf(context), reading.key);
    return this.records.claim(key, requestFingerprint(fingerprinted), route.inProgressTtlSeconds);
  }

  private scopeOf(context: ExecutionContext): string | undefined {
    const scope: unknown = this.settings.scope?.(context);
    if (scope === undefined || typeof scope === 'string') return scope;
    throw new InvalidIdempotencyOptionsError('scope', `must return a string or undefined, got ${typeof scope}.`);
  }

  /**
   * The stored response, sent as Nest sends any result: the status and headers set here, the body
   * returned; a stored error answer is thrown again, for the app's exception handling to send as before.
   */
  private replay(response: unknown, stored: StoredResponse): Observable<unknown> {
    const { httpAdapter } = this.adapterHost;
    httpAdapter.setHeader(response, IDEMPOTENT_REPLAYED_HEADER, 'true');
    if (stored.kind === 'exception') return throwError(() => new HttpException(stored.response, stored.status));
    httpAdapter.status(response, stored.status);
    for (const [name, value] of Object.entries(stored.headers)) httpAdapter.setHeader(response, name, value);
    return of(replayedBody(stored.body));
  }

  private heldRun(hold: Hold, route: RouteSettings, context: ExecutionContext, response: unknown): HeldRun {
    const name = `${context.getClass().name}.${context.getHandler().name}`;
    const ownResponse = sendsOwnResponse(context.getClass(), context.getHandler().name);
    if (ownResponse && !this.warnedOwnResponse.has(name)) {
      this.warnedOwnResponse.add(name);
      this.logger.warn(
        `${name} sends its response itself (@Res() or @Next() without passthrough), so there is nothing to replay: ` +
          'it runs once per key, and repeats get 409 IDEMPOTENCY_RESPONSE_UNAVAILABLE.',
      );
    }
    return { hold, name, response, status: new HandlerStatus(response), sendsOwnResponse: ownResponse, ...route };
  }

  /**
   * Runs the handler while holding the key (renewed as it runs). Its outcome is stored before it goes on
   * to the client, so that a retry after the answer always finds it. The handler is followed to its end
   * even when the subscriber leaves first (Nest drops the chain when the client goes away, an outer
   * `timeout()` gives up on it): it may still be acting, so its key is never freed under it, and its
   * outcome is stored for the client's retry. What could not be stored is logged; the request never fails
   * for it.
   */
  private runHolding(run: HeldRun, next: CallHandler): Observable<unknown> {
    return new Observable<unknown>((subscriber) => {
      const keepAlive = keepHoldAlive(this.records, run.hold, run.inProgressTtlSeconds, (write, everyMs) => {
        if (write.kind === 'lost') {
          this.logger.warn(`${run.name}: its hold on the Idempotency-Key lapsed while it ran (not renewed in time): a retry may run the handler again.`);
        } else {
          const why = write.kind === 'unknown' ? 'an unknown outcome' : write.error.code;
          this.logger.warn(`${run.name}: renewing its hold on the Idempotency-Key failed (${why}); it tries again in ${Math.round(everyMs)} ms.`);
        }
      });
      const finish = async (outcome: RunOutcome): Promise<void> => {
        await keepAlive.stop();
        await this.settlement.settle(run, outcome);
      };
      let last: { value: unknown } | undefined;
      let ended = false;
      // Deliberately not unsubscribed with the subscriber: see above. Once closed, the subscriber ignores what follows.
      next.handle().subscribe({
        next: (value) => {
          last = { value };
        },
        error: (error: unknown) => {
          ended = true;
          void finish({ kind: 'error', error }).then(() => subscriber.error(error));
        },
        complete: () => {
          ended = true;
          const result = last;
          void finish(result === undefined ? { kind: 'empty' } : { kind: 'value', value: result.value }).then(() => {
            if (result !== undefined) subscriber.next(result.value);
            subscriber.complete();
          });
        },
      });
      return () => {
        if (!ended) run.status.subscriberLeft();
      };
    });
  }
}
