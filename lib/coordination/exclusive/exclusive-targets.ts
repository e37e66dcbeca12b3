import { KvExclusiveOptionsError } from './kv-exclusive.errors.js';

/** A decorated method, and the property its class's instances get their store in. */
interface ExclusiveTarget {
  method: string;
  job: string;
  storeProperty: symbol;
}

/** The decorated methods of each class, by its prototype. */
const targets = new WeakMap<object, ExclusiveTarget[]>();

export function recordExclusiveTarget(prototype: object, target: ExclusiveTarget): void {
  const known = targets.get(prototype);
  if (known === undefined) targets.set(prototype, [target]);
  else known.push(target);
}

/** The parts of Nest's module container this reads (`ModulesContainer`'s values), as Nest 11 and 12 have them. */
interface ProviderWrapper {
  readonly instance: unknown;
  readonly isTransient: boolean;
  isDependencyTreeStatic(): boolean;
}
interface ContainerModule {
  readonly providers: Map<unknown, ProviderWrapper>;
  readonly controllers: Map<unknown, ProviderWrapper>;
}

/**
 * Throws when an application holds an instance of a class with `@KvExclusive` methods that got no store:
 * Nest injects properties only into objects it builds from their class, so one from `useFactory` or
 * `useValue` would fail every call. Checked once, at module init, instead of at each tick.
 */
export function assertExclusiveTargetsInjected(modules: Iterable<ContainerModule>): void {
  for (const module of modules) {
    for (const wrapper of [...module.providers.values(), ...module.controllers.values()]) {
      // A request-scoped or transient provider's instance here is a stand-in, not what its callers get.
      if (wrapper.isTransient || !wrapper.isDependencyTreeStatic()) continue;
      const missing = missingStore(wrapper.instance);
      if (missing === undefined) continue;
      const className = (wrapper.instance as object).constructor.name;
      throw new KvExclusiveOptionsError(
        'target',
        `of '${missing.job}', ${className}.${missing.method}, is on a provider Nest did not build from its class (useFactory or ` +
          `useValue), so no store was injected into it: list the class itself in providers (or use useClass).`,
      );
    }
  }
}

function missingStore(instance: unknown): ExclusiveTarget | undefined {
  if (instance === null || typeof instance !== 'object') return undefined;
  for (let prototype = Object.getPrototypeOf(instance) as object | null; prototype !== null; prototype = Object.getPrototypeOf(prototype) as object | null) {
    const missing = targets.get(prototype)?.find(({ storeProperty }) => (instance as Record<symbol, unknown>)[storeProperty] === undefined);
    if (missing !== undefined) return missing;
  }
  return undefined;
}
