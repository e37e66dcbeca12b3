import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';

/** How often, while shutting down, connections that went idle since are closed. */
const IDLE_SWEEP_MS = 100;

/**
 * On SIGTERM or SIGINT: stop accepting connections, let in-flight requests finish (their responses close
 * their connections), close idle keep-alive connections at once and those that go idle later, then let
 * Nest close the store (which lets queued batched calls finish and destroys its client) and exit 0. A
 * client that never lets go cannot hold the process: after `timeoutMs` every connection is dropped and
 * the process exits.
 */
export function shutDownOnSignals(app: NestFastifyApplication, timeoutMs: number, logger: LoggerService): void {
  const server = app.getHttpServer() as Server;
  let closing = false;
  // A callback hook, not an async one: it runs for every response, and a promise each costs more.
  app.getHttpAdapter().getInstance().addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  const shutDown = async (signal: NodeJS.Signals): Promise<void> => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: shutting down (at most ${timeoutMs} ms).`, 'Shutdown');
    const deadline = setTimeout(() => {
      logger.warn(`Connections still open after ${timeoutMs} ms: closing them.`, 'Shutdown');
      server.closeAllConnections();
      process.exit(0);
    }, timeoutMs);
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    server.closeIdleConnections();
    try {
      await app.close();
    } finally {
      clearInterval(sweep);
      clearTimeout(deadline);
    }
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void shutDown(signal));
}
