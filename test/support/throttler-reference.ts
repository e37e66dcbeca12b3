import * as common from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import * as asyncHooks from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** `@nestjs/throttler`'s in-memory `ThrottlerStorageService`: the answer every storage must give. */
export interface ReferenceStorage extends ThrottlerStorage {
  /** Its sweep (every minute, on its own timer): forgets the records with no live hit, window or block. */
  evictIdleRecords(now: number): void;
  onApplicationShutdown(): void;
}

/**
 * The in-memory storage as `@nestjs/throttler` ships it (dist/throttler.service.js, unchanged), run in this
 * test's realm (so that a mocked `Date.now` is its clock too) with this realm's `@nestjs/common`. Jest
 * cannot `require` the package itself: it is CommonJS and requires `@nestjs/common` 12, which is ESM only
 * (Node loads it with require(esm); Jest's module runtime does not).
 */
export function referenceStorage(): ReferenceStorage {
  const path = createRequire(import.meta.url).resolve('@nestjs/throttler/dist/throttler.service.js');
  const loaded = { exports: {} as { ThrottlerStorageService?: new () => ReferenceStorage } };
  const dependencies: Record<string, unknown> = { '@nestjs/common': common, async_hooks: asyncHooks };
  const requireDependency = (id: string): unknown => {
    if (!(id in dependencies)) throw new Error(`throttler.service.js requires '${id}', which the reference loader does not provide.`);
    return dependencies[id];
  };
  new Function('exports', 'require', 'module', readFileSync(path, 'utf8'))(loaded.exports, requireDependency, loaded);
  return new loaded.exports.ThrottlerStorageService!();
}
