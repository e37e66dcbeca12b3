import 'reflect-metadata';
import { BadRequestException, Body, Controller, Headers, Module, Post } from '@nestjs/common';
import { APP_INTERCEPTOR, HttpAdapterHost, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Idempotent } from '../../../lib/idempotency/idempotent.decorator.js';
import { KvIdempotencyInterceptor } from '../../../lib/idempotency/kv-idempotency.interceptor.js';
import { DynamoKvModule, KV_STORE, type KVStore } from '../../../lib/index.js';

// An app the idempotency e2e test starts twice, on Express and on Fastify, against one DynamoDB table.
const { DYNAMODB_ENDPOINT, KV_TABLE, RUNS_FILE, PLATFORM, HOST = '127.0.0.1', PORT = '0' } = process.env;
if (!DYNAMODB_ENDPOINT || !KV_TABLE || !RUNS_FILE) throw new Error('Set DYNAMODB_ENDPOINT, KV_TABLE and RUNS_FILE.');
const runsFile = RUNS_FILE;

interface Payment {
  paymentId: string;
  amount: number;
  servedBy: number;
}

@Controller('payments')
class PaymentsController {
  @Post()
  @Idempotent({ required: true })
  async pay(@Body() body: { amount: number }, @Headers('idempotency-key') key: string): Promise<Payment> {
    // One appended line per run (O_APPEND keeps lines whole across processes): the test counts them per key.
    await appendFile(runsFile, `${key}\n`);
    // Long enough for duplicates sent together to arrive while this one runs.
    await sleep(100);
    return { paymentId: randomUUID(), amount: body.amount, servedBy: process.pid };
  }

  /** Refuses the first run of each key with a 400, which frees the key: its retries then race for it. */
  @Post('flaky')
  @Idempotent({ required: true })
  async flaky(@Body() body: { amount: number }, @Headers('idempotency-key') key: string): Promise<Payment> {
    const line = `flaky:${key}`;
    const earlier = (await readFile(runsFile, 'utf8')).split('\n').includes(line);
    await appendFile(runsFile, `${line}\n`);
    if (!earlier) throw new BadRequestException('declined, try again');
    await sleep(100);
    return { paymentId: randomUUID(), amount: body.amount, servedBy: process.pid };
  }
}

@Module({
  imports: [
    DynamoKvModule.forRoot({
      table: KV_TABLE,
      endpoint: DYNAMODB_ENDPOINT,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  ],
  controllers: [PaymentsController],
  providers: [
    {
      provide: APP_INTERCEPTOR,
      inject: [KV_STORE, HttpAdapterHost],
      useFactory: (store: KVStore, adapterHost: HttpAdapterHost) => new KvIdempotencyInterceptor(store, adapterHost),
    },
  ],
})
class AppModule {}

const adapter = PLATFORM === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
const app = await NestFactory.create(AppModule, adapter, { logger: ['error', 'warn'] });
app.enableShutdownHooks();
await app.listen(Number(PORT), HOST);
console.log(`Listening on ${await app.getUrl()}`);
