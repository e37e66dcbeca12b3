import { INestApplication } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from './../src/app.module';

// `nest new`'s generated e2e test, on the README's setup: the real AppModule (its store on DYNAMODB_ENDPOINT
// and KV_TABLE, the Terminus health check, Prometheus metrics, KvHttpExceptionFilter and the cache) under
// the app's own Jest, as a user runs it with `npm run test:e2e`.
describe('AppModule (e2e)', () => {
  let app: INestApplication;

  beforeEach(async () => {
    const moduleFixture: TestingModule = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();

    app = moduleFixture.createNestApplication();
    await app.init();
  });

  afterEach(async () => {
    await app.close();
  });

  it('/health (GET): up, through DynamoKvHealthIndicator', async () => {
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body).toMatchObject({ status: 'ok', details: { dynamodb: { status: 'up', tableStatus: 'ACTIVE' } } });
  });

  it('/prices (GET): made once, then served from the cache, which is in DynamoDB', async () => {
    const first = await request(app.getHttpServer()).get('/prices').expect(200);
    // CacheInterceptor stores the response after sending it: wait (bounded) until the entry is in DynamoDB.
    const entry = `/kv/${encodeURIComponent('http-cache:/prices')}`;
    let stored = await request(app.getHttpServer()).get(entry);
    for (let attempt = 0; attempt < 50 && stored.status !== 200; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      stored = await request(app.getHttpServer()).get(entry);
    }
    expect(JSON.parse(stored.body.value)).toMatchObject({ value: first.body });
    const second = await request(app.getHttpServer()).get('/prices').expect(200);
    expect(second.body).toEqual(first.body);
  });

  it('/kv/:key (GET) of a missing key: 404 with the typed error, through KvHttpExceptionFilter', async () => {
    const response = await request(app.getHttpServer()).get('/kv/missing').expect(404);
    expect(response.body).toMatchObject({ statusCode: 404, error: 'KEY_NOT_FOUND' });
  });

  it("/metrics (GET): the store's histogram", async () => {
    await request(app.getHttpServer()).get('/kv/missing').expect(404);
    const response = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(response.text).toMatch(/dynamodb_kv_operation_duration_seconds_count\{[^}]*operation="get",outcome="not_found"\}/);
  });
});
