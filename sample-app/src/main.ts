import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { readSampleConfig } from './sample.config.js';

async function bootstrap(): Promise<void> {
  const config = readSampleConfig(process.env);
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // A 2048-byte key percent-encodes to up to 6144 characters; Fastify's default allows 100.
    routerOptions: { maxParamLength: 8192 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), adapter, {
    bufferLogs: true,
    rawBody: true,
    // Let start-up errors reach the catch below, which prints one clear line.
    abortOnError: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  // useProcessExit: exit with code 0 after a clean shutdown, instead of re-raising the signal.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  await app.listen({ host: config.host, port: config.port });
  logger.log(`Listening on ${await app.getUrl()}`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  // A clear line rather than a stack: most start-up failures are configuration.
  console.error(`The sample app could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
