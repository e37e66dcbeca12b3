import './frozen-clock.js';
import 'reflect-metadata';
import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SkipThrottle, Throttle, ThrottlerGuard, ThrottlerModule, type ThrottlerOptions } from '@nestjs/throttler';
import { DynamoKvModule, KV_STORE, type KVStore } from '../../../lib/index.js';
import { DynamoKvThrottlerStorage } from '../../../lib/throttler/index.js';

/**
 * A small app behind ThrottlerGuard, started as a process by test/e2e/throttler.spec.ts: with
 * THROTTLER_STORAGE=dynamodb its limits live in the table at DYNAMODB_ENDPOINT (shared by every process
 * started so), with THROTTLER_STORAGE=memory in @nestjs/throttler's own in-memory storage; on Express,
 * or on Fastify with THROTTLER_PLATFORM=fastify.
 */
@Controller()
class HitsController {
  /** Both throttlers: `short` blocks for 30 s once over its limit, `default` refuses hits over its limit without blocking. */
  @Get('hits')
  hit(): { ok: true } {
    return { ok: true };
  }

  /** Only `default`, with a limit of 5. */
  @Get('burst')
  @SkipThrottle({ short: true })
  @Throttle({ default: { limit: 5, ttl: 60_000 } })
  burst(): { ok: true } {
    return { ok: true };
  }
}

const throttlers: ThrottlerOptions[] = [
  { name: 'short', ttl: 10_000, limit: 3, blockDuration: 30_000 },
  { ttl: 60_000, limit: 2, blockDuration: 0 },
];

/** The client a hit counts for: the X-Client header when there is one (tests play several clients from one address), else the address. */
const getTracker = (request: Record<string, unknown>): string => {
  const headers = request.headers as Record<string, string | undefined>;
  return headers['x-client'] ?? String(request.ip);
};

function throttlerModule(): DynamicModule {
  if (process.env.THROTTLER_STORAGE === 'memory') return ThrottlerModule.forRoot({ throttlers, getTracker });
  return ThrottlerModule.forRootAsync({
    inject: [KV_STORE],
    useFactory: (store: KVStore) => ({
      throttlers,
      getTracker,
      // Failing open (the default), with a budget of 5 s rather than 300 ms: the tests' DynamoDB (dynalite)
      // runs in the test process, which is busy sending hundreds of requests at once, and a slow answer is
      // the fail mode's case (throttler-storage.faults), not this test's. Contention between the processes
      // is no outage whatever the budget (throttler-storage.concurrency races instances at 300 ms).
      storage: new DynamoKvThrottlerStorage(store, { timeoutMs: 5_000 }),
    }),
  });
}

const storeModules =
  process.env.THROTTLER_STORAGE === 'memory'
    ? []
    : [
        DynamoKvModule.forRoot({
          table: process.env.DYNAMODB_TABLE ?? '',
          endpoint: process.env.DYNAMODB_ENDPOINT,
          region: 'us-east-1',
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
          isGlobal: true,
        }),
      ];

@Module({
  imports: [...storeModules, throttlerModule()],
  controllers: [HitsController],
  providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
})
class ThrottlerAppModule {}

const options = { logger: ['error', 'warn'] as ('error' | 'warn')[] };
const app =
  process.env.THROTTLER_PLATFORM === 'fastify'
    ? await NestFactory.create<NestFastifyApplication>(ThrottlerAppModule, new (await import('@nestjs/platform-fastify')).FastifyAdapter(), options)
    : await NestFactory.create(ThrottlerAppModule, options);
await app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
console.log(`Listening on ${await app.getUrl()}`);
