import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DynamoKvHealthIndicator, DynamoKvModule, KV_STORE, OPERATION_DURATION_METRIC_TOKEN, type KVStore } from 'nestjs-dynamodb-kv';

@Module({
  imports: [
    DynamoKvModule.forRoot({
      table: process.env.KV_TABLE ?? 'kv-store',
      endpoint: process.env.DYNAMODB_ENDPOINT,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  ],
})
class AppModule {}

/** Boots, uses the store, asks for what needs the missing packages, and prints what happened as JSON. */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const store = app.get<KVStore>(KV_STORE);
  await store.set('greeting', 'hello');
  const value = await store.get('greeting');
  const histogram = app.get(OPERATION_DURATION_METRIC_TOKEN) ?? null;
  const indicatorError = await app.resolve(DynamoKvHealthIndicator).then(
    () => null,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  await app.close();
  console.log(JSON.stringify({ value, histogram, indicatorError }));
}

void main();
