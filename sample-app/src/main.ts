import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { createServer, type RequestListener } from 'node:http';
import { AppModule } from './app.module.js';
import { registerBodyParsers } from './http/body-parsers.js';
import { frameworkErrorBody } from './http/http-error.js';
import { shutDownOnSignals } from './http/graceful-shutdown.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { readSampleConfig } from './sample.config.js';

async function bootstrap(): Promise<void> {
  const config = readSampleConfig(process.env);
  const { timeouts } = config;
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // A 2048-byte key percent-encodes to up to 6144 characters; Fastify's default allows 100.
    routerOptions: { maxParamLength: 8192 },
    keepAliveTimeout: timeouts.keepAliveMs,
    requestTimeout: timeouts.requestMs,
    // Slow clients: headers and whole requests must arrive in time, checked every second (Node checks
    // every 30 s by default), so that trickling connections cannot pile up.
    // Errors of Fastify's router (a malformed or too long URL) come before Nest, and would echo the path.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const body = frameworkErrorBody(error);
      void reply.code(body.statusCode).send(body);
    },
    serverFactory: (handler: RequestListener) =>
      createServer({ headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs, connectionsCheckingInterval: 1_000 }, handler),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), adapter, {
    bufferLogs: true,
    // The app's own body parsers: UTF-8 only, exact text kept (see body-parsers.ts).
    bodyParser: false,
    // Let start-up errors reach the catch below, which prints one clear line.
    abortOnError: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  const fastify = app.getHttpAdapter().getInstance();
  registerBodyParsers(fastify, config.bodyLimitBytes);
  registerSecurityHeaders(fastify);
  shutDownOnSignals(app, timeouts.shutdownMs, logger);
  await app.listen({ host: config.host, port: config.port });
  logger.log(`Listening on ${await app.getUrl()}`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  // A clear line rather than a stack: most start-up failures are configuration.
  console.error(`The sample app could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
