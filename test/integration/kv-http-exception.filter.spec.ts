import { Controller, Get, Inject, Param, UseFilters, type INestApplication } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  DynamoKvModule,
  InvalidKeyError,
  InvalidOptionsError,
  KV_STORE,
  KvOverloadedError,
  KvStoreClosedError,
  KvStoreError,
  KvThrottledError,
  KvUnavailableError,
  KvHttpExceptionFilter,
  NotACounterError,
  type KVStore,
} from '../../lib/index.js';
import { useFixture } from '../support/fixture.js';
import { serverOptions } from '../support/store-options.js';
import { uniqueTableName } from '../support/test-endpoint.js';

/** Each error a route can end with, as the store raises it. */
const ERRORS: Record<string, () => KvStoreError> = {
  invalid_key: () => new InvalidKeyError('it is empty.', { operation: 'get', table: 'kv' }),
  unavailable: () => new KvUnavailableError("DynamoDB could not be reached for get on table 'kv'; nothing was changed.", { table: 'kv' }),
  throttled: () => new KvThrottledError("DynamoDB throttled get on table 'kv' through every retry; nothing was changed.", { table: 'kv' }),
  overloaded: () => new KvOverloadedError("Store 'default' has 10000 calls pending on table 'kv'; retry later.", { table: 'kv' }),
  closed: () => new KvStoreClosedError("Store 'default' on table 'kv' is closed: the application is shutting down.", { table: 'kv' }),
  options: () => new InvalidOptionsError('table', 'is required.'),
  not_a_counter: () => new NotACounterError('visits', 'kv'),
  refused: () => new KvStoreError("DynamoDB refused get on table 'kv' (AccessDeniedException).", { operation: 'get', table: 'kv' }),
};

@Controller()
@UseFilters(KvHttpExceptionFilter)
class FailingController {
  constructor(@Inject(KV_STORE) private readonly store: KVStore) {}

  @Get('fail/:error')
  fail(@Param('error') error: string): never {
    throw ERRORS[error]!();
  }

  /** A real failure: the store's table does not exist on the test server. */
  @Get('missing-table')
  read(): Promise<string> {
    return this.store.get('anything');
  }
}

describe.each<[string, () => AbstractHttpAdapter]>([
  ['Fastify', () => new FastifyAdapter()],
  ['Express', () => new ExpressAdapter()],
])('KvHttpExceptionFilter over HTTP, on %s', (_adapter, adapter) => {
  const shared = useFixture('all');
  let base: string;

  beforeAll(async () => {
    const imports = [DynamoKvModule.forRoot(serverOptions(uniqueTableName('missing')))];
    const app: INestApplication = await shared.httpApp({ imports, controllers: [FailingController] }, adapter());
    base = await app.getUrl();
  });

  async function answer(path: string): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
  }

  it.each<[string, number, string | null, string]>([
    ['invalid_key', 400, null, 'INVALID_KEY'],
    ['unavailable', 503, '1', 'UNAVAILABLE'],
    ['throttled', 503, '1', 'THROTTLED'],
    ['overloaded', 503, '1', 'OVERLOADED'],
    ['closed', 503, null, 'STORE_CLOSED'],
    ['options', 503, null, 'INVALID_OPTIONS'],
    ['not_a_counter', 409, null, 'NOT_A_COUNTER'],
    ['refused', 503, null, 'KV_STORE_ERROR'],
  ])('answers %s with %i, Retry-After %s, and the JSON body', async (error, status, retryAfter, code) => {
    const expected = ERRORS[error]!();
    await expect(answer(`/fail/${error}`)).resolves.toEqual({
      status,
      retryAfter,
      body: { statusCode: status, error: code, message: expected.message },
    });
  });

  it('answers a table missing on the server with 503 and no Retry-After: it will not appear by itself', async () => {
    const { status, retryAfter, body } = await answer('/missing-table');
    expect({ status, retryAfter }).toEqual({ status: 503, retryAfter: null });
    expect(body).toMatchObject({ statusCode: 503, error: 'TABLE_NOT_FOUND' });
  });
});
