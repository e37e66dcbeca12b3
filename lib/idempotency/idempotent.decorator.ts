import { SetMetadata } from '@nestjs/common';
import { UnsupportedIdempotentRouteError } from './idempotency.errors.js';
import { checkRouteOptions, type IdempotentRouteOptions } from './kv-idempotency.options.js';
import { sendsOwnResponse } from './route-response.js';

/** Where `@Idempotent()` keeps a route's options, for the interceptor to find. */
export const IDEMPOTENT_ROUTE_METADATA = 'nestjs-dynamodb-kv:idempotent';

/**
 * Lets the global `KvIdempotencyInterceptor` serve this route (or every route of this controller): a
 * request with an `Idempotency-Key` header runs once, and its repeats get the stored response. Routes
 * without it are left alone. Options are checked here, so a mistake fails when the app starts; so is a
 * route that sends its response itself (`@Res()` without passthrough), which has no response to replay.
 */
export function Idempotent(options: IdempotentRouteOptions = {}): ClassDecorator & MethodDecorator {
  checkRouteOptions(options);
  const setMetadata = SetMetadata(IDEMPOTENT_ROUTE_METADATA, { ...options });
  const decorator = (target: object, propertyKey?: string | symbol, descriptor?: TypedPropertyDescriptor<unknown>): void => {
    if (propertyKey === undefined || descriptor === undefined) {
      setMetadata(target as abstract new (...args: never[]) => unknown);
      return;
    }
    // A method's parameter decorators (@Res()) are applied before its method decorators, so they are seen here.
    if (sendsOwnResponse(target.constructor, propertyKey)) {
      throw new UnsupportedIdempotentRouteError(`${target.constructor.name}.${String(propertyKey)}`);
    }
    setMetadata(target, propertyKey, descriptor);
  };
  return decorator as ClassDecorator & MethodDecorator;
}
