import { Inject, Logger, Optional } from '@nestjs/common';
import type { KVStore } from '../../contract/kv-store.interface.js';
import { getKvStoreToken } from '../../contract/kv-store.tokens.js';
import { ExclusiveRuns } from './exclusive-runs.js';
import { recordExclusiveTarget } from './exclusive-targets.js';
import { JobLog } from './job-log.js';
import { KvExclusiveOptionsError, NotInExclusiveRunError } from './kv-exclusive.errors.js';
import { resolveExclusiveJob, type ExclusiveJob, type KvExclusiveOptions } from './kv-exclusive.options.js';
import { holdSecondsOf } from './lease-hold.js';
import { runExclusive } from './run-exclusive.js';

/** The property each store is injected into, one per store name, out of the way of the class's own. */
const storeProperties = new Map<string, symbol>();
/** The property the app's {@link ExclusiveRuns} is injected into. */
const RUNS_PROPERTY = Symbol('nestjs-dynamodb-kv:exclusive-runs');

function storePropertyOf(store: string): symbol {
  let property = storeProperties.get(store);
  if (property === undefined) {
    property = Symbol(`nestjs-dynamodb-kv:exclusive-store:${store}`);
    storeProperties.set(store, property);
  }
  return property;
}

/** An async method: the wrapper always returns a promise, so a synchronous one would change type. */
type AsyncMethod<A extends unknown[], R> = (...args: A) => Promise<R>;

/** A skipped call resolves undefined, so the method's declared result must allow it (`Promise<void>`, `Promise<T | undefined>`). */
type ResolvesUndefined<R> = undefined extends R
  ? unknown
  : { readonly 'a @KvExclusive method must declare a result that allows undefined, e.g. Promise<T | undefined>': never };

/**
 * Runs the decorated method on one instance at a time across every app sharing the store: the instance that
 * takes the lease `name` runs it; the others skip at once and resolve undefined (logged at debug level). The
 * lease is extended while the method runs, and ended when it settles, resolved or thrown, no sooner than
 * `holdAtLeastSeconds` after it was taken. Inside, `currentKvLease()` returns the lease; its signal also
 * aborts when the app shuts down, which waits a few seconds for the method to stop and release the lease.
 *
 * For `@Cron`, `@Interval` and `@Timeout` handlers (in either order with this decorator) and any method of
 * a provider Nest builds from its class: the store is injected into the instance as a property. The method
 * must be async, and its declared result must allow undefined (`Promise<void>`, `Promise<T | undefined>`):
 * a skipped call resolves undefined, and the compiler refuses the decorator on anything else.
 */
export function KvExclusive(name: string, options: KvExclusiveOptions) {
  const job = resolveExclusiveJob(name, options);
  const storeProperty = storePropertyOf(job.store);
  const logger = new Logger('KvExclusive');
  const log = new JobLog(logger);
  return <A extends unknown[], R>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<AsyncMethod<A, R>> & ResolvesUndefined<R>): void => {
    const method = descriptor.value;
    if (typeof method !== 'function') throw new KvExclusiveOptionsError('target', `of '${name}', ${String(key)}, is not a method.`);
    if (typeof target === 'function') {
      throw new KvExclusiveOptionsError('target', `of '${name}', ${String(key)}, is a static method: use an instance method of a provider.`);
    }
    Inject(getKvStoreToken(job.store))(target, storeProperty);
    // Optional: an app that registers a store by hand has no ExclusiveRuns, and runs without shutdown handling.
    Optional()(target, RUNS_PROPERTY);
    Inject(ExclusiveRuns)(target, RUNS_PROPERTY);
    recordExclusiveTarget(target, { method: String(key), job: job.name, storeProperty });
    // Read at the first call: a @Cron applied above this decorator puts its metadata on the wrapper later.
    let holdSeconds: number | undefined;
    const exclusive = async function (this: unknown, ...args: A): Promise<R | undefined> {
      const { store, runs } = injectedInto(this, job, storeProperty);
      holdSeconds ??= holdSecondsOf(job, exclusive, logger);
      return runExclusive({ store, runs, job, holdSeconds, log }, () => method.apply(this, args));
    };
    keepIdentity(method, exclusive);
    descriptor.value = exclusive as AsyncMethod<A, R>;
  };
}

/** What Nest injected into `self` for the job: its store, and the app's shutdown tracker; otherwise why the call cannot run. */
function injectedInto(self: unknown, job: ExclusiveJob, storeProperty: symbol): { store: KVStore; runs: ExclusiveRuns | undefined } {
  if (self === null || (typeof self !== 'object' && typeof self !== 'function')) {
    throw new NotInExclusiveRunError(
      `@KvExclusive('${job.name}') was called without its object (\`this\` is ${String(self)}): call it as instance.method(), or bind it to the instance first.`,
    );
  }
  const injected = self as Partial<Record<symbol, unknown>>;
  const store = injected[storeProperty] as KVStore | undefined;
  if (store === undefined) {
    throw new NotInExclusiveRunError(
      `@KvExclusive('${job.name}') found no store injected into the object it was called on: call it on the instance Nest built ` +
        `from its class (listed in providers as the class, or with useClass), not on one made with new, useFactory or useValue.`,
    );
  }
  return { store, runs: injected[RUNS_PROPERTY] as ExclusiveRuns | undefined };
}

/**
 * Gives the wrapper the method's name and its metadata, so that decorators applied before this one
 * (`@Cron`, `SetMetadata`) still find what they put on the method.
 */
function keepIdentity(method: object, wrapper: object): void {
  Object.defineProperty(wrapper, 'name', { value: (method as { name: string }).name });
  for (const metadataKey of Reflect.getOwnMetadataKeys(method)) {
    Reflect.defineMetadata(metadataKey, Reflect.getOwnMetadata(metadataKey, method), wrapper);
  }
}
