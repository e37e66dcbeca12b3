/**
 * What the compiler refuses under `@KvExclusive`, checked by `npm run typecheck` (not a Jest test: Jest
 * compiles each file alone, without these errors). An `@ts-expect-error` that no longer meets an error
 * fails the typecheck, so a decorator that stopped refusing these would be caught.
 */
import { KvExclusive } from '../../lib/coordination/exclusive/kv-exclusive.decorator.js';

export class RefusedByTheCompiler {
  // @ts-expect-error: a synchronous method would turn async under the decorator
  @KvExclusive('sync', { ttlSeconds: 1 })
  sync(): number {
    return 1;
  }

  // @ts-expect-error: a skipped call resolves undefined, which Promise<number> does not allow
  @KvExclusive('number', { ttlSeconds: 1 })
  async number(): Promise<number> {
    return 1;
  }
}

export class AcceptedByTheCompiler {
  @KvExclusive('void', { ttlSeconds: 1 })
  async nothing(): Promise<void> {}

  @KvExclusive('maybe', { ttlSeconds: 1 })
  async maybe(): Promise<number | undefined> {
    return 1;
  }
}
