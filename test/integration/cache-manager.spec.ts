import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CacheInterceptor, CacheModule, CacheTTL } from '@nestjs/cache-manager';
import { Controller, Get, UseInterceptors, type INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import Keyv from 'keyv';
import { DynamoKvModule, KV_STORE, type KVStore } from '../../lib/index.js';
import { KeyvKvStore } from '../../lib/keyv/index.js';
import { useFixture } from '../support/fixture.js';
import { serverOptions } from '../support/store-options.js';

/** A route that counts how often its handler really ran. */
@Controller('report')
class ReportController {
  calls = 0;

  @Get()
  @UseInterceptors(CacheInterceptor)
  @CacheTTL(1_000)
  report(): { handlerCalls: number } {
    this.calls += 1;
    return { handlerCalls: this.calls };
  }
}

/** The same route with an entry that outlives a slow test machine's pauses. */
@Controller('report')
class LongCachedReportController {
  calls = 0;

  @Get()
  @UseInterceptors(CacheInterceptor)
  @CacheTTL(60_000)
  report(): { handlerCalls: number } {
    this.calls += 1;
    return { handlerCalls: this.calls };
  }
}

describe('@nestjs/cache-manager over the store (CacheModule.registerAsync, CacheInterceptor, @CacheTTL)', () => {
  const fixture = useFixture();

  /** An app as the README sets it up: the store global, the cache built from it by injection. */
  async function cachedApp(
    table: string,
    route: typeof ReportController | typeof LongCachedReportController = ReportController,
  ): Promise<{ app: INestApplication; controller: { calls: number }; get: () => Promise<unknown> }> {
    const imports = [
      DynamoKvModule.forRoot({ ...serverOptions(table), isGlobal: true }),
      CacheModule.registerAsync({
        inject: [KV_STORE],
        useFactory: (store: KVStore) => ({ stores: [new Keyv({ store: new KeyvKvStore(store), namespace: 'http-cache' })] }),
      }),
    ];
    const app = await fixture.httpApp({ imports, controllers: [route] }, new ExpressAdapter());
    const url = `${await app.getUrl()}/report`;
    const get = async () => (await fetch(url)).json();
    return { app, controller: app.get<{ calls: number }>(route), get };
  }

  /** CacheInterceptor stores an entry after it has answered: waits (bounded) until the table has it. */
  async function untilStored(table: { name: string; client: DynamoDBClient }): Promise<void> {
    const deadline = Date.now() + 5_000;
    const read = new GetItemCommand({ TableName: table.name, Key: { pk: { S: 'http-cache:/report' } }, ConsistentRead: true });
    while ((await table.client.send(read)).Item === undefined) {
      if (Date.now() > deadline) throw new Error('The cache entry never reached the table.');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('serves the second request from DynamoDB without calling the handler, and calls it again once the TTL passed', async () => {
    const table = await fixture.table();
    const { controller, get } = await cachedApp(table.name);

    expect(await get()).toEqual({ handlerCalls: 1 });
    await untilStored(table);
    expect(await get()).toEqual({ handlerCalls: 1 });
    expect(controller.calls).toBe(1);
    const item = await table.client.send(
      new GetItemCommand({ TableName: table.name, Key: { pk: { S: 'http-cache:/report' } }, ConsistentRead: true }),
    );
    expect(JSON.parse(item.Item?.value?.S ?? '{}')).toMatchObject({ value: { handlerCalls: 1 } });
    // @CacheTTL's milliseconds reach DynamoDB as whole seconds, so DynamoDB deletes the entry too.
    expect(Number(item.Item?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000);

    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await get()).toEqual({ handlerCalls: 2 });
    expect(controller.calls).toBe(2);
  });

  it('shares the cache between app instances: a second instance answers without ever running its handler', async () => {
    const table = await fixture.table();
    const first = await cachedApp(table.name, LongCachedReportController);
    const second = await cachedApp(table.name, LongCachedReportController);

    expect(await first.get()).toEqual({ handlerCalls: 1 });
    await untilStored(table);
    expect(await second.get()).toEqual({ handlerCalls: 1 });
    expect(second.controller.calls).toBe(0);
  });
});
