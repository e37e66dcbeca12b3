import { Body, Controller, Get, Inject, Param, Put, type INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { DynamoKvHealthIndicator, DynamoKvModule, KV_STORE, type KVStore } from '../../lib/index.js';
import { useFixture } from '../support/fixture.js';
import { serverOptions } from '../support/store-options.js';

@Controller()
class ExpressKvController {
  constructor(
    @Inject(KV_STORE) private readonly store: KVStore,
    private readonly health: HealthCheckService,
    private readonly dynamo: DynamoKvHealthIndicator,
  ) {}

  @Put('kv/:key')
  set(@Param('key') key: string, @Body() body: { value: string }): Promise<void> {
    return this.store.set(key, body.value);
  }

  @Get('kv/:key')
  get(@Param('key') key: string): Promise<string> {
    return this.store.get(key);
  }

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.dynamo.isHealthy('dynamodb')]);
  }
}

describe('the library on the Express adapter', () => {
  const shared = useFixture('all');
  let app: INestApplication;

  beforeAll(async () => {
    const table = await shared.table();
    const imports = [TerminusModule, DynamoKvModule.forRoot(serverOptions(table.name))];
    app = await shared.httpApp({ imports, controllers: [ExpressKvController] }, new ExpressAdapter());
  });

  it('serves the store and its health indicator over HTTP', async () => {
    const base = await app.getUrl();
    const put = await fetch(`${base}/kv/express`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'on express' }),
    });
    expect(put.status).toBe(200);
    expect(await (await fetch(`${base}/kv/express`)).text()).toBe('on express');
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', details: { dynamodb: { status: 'up' } } });
  });
});
