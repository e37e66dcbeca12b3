import dynalite from 'dynalite';
import { Level } from 'level';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

/** Messages this worker posts to the app. */
export type WorkerMessage = { type: 'listening'; port: number } | { type: 'failed'; message: string } | { type: 'stopped' };

const { dataDir } = workerData as { dataDir: string };
const port = parentPort!;

/**
 * dynalite 4 rethrows a request's 'error' event (`req.on('error', (err) => { throw err })`), so a client
 * that drops its connection mid-request (a timeout, an aborted call) would crash this worker and leave the
 * app without storage. Such a drop concerns that request only: it is contained here; anything else still
 * ends the worker.
 */
process.on('uncaughtException', (error: Error & { code?: string }) => {
  if (error.code === 'ECONNRESET' || error.code === 'ECONNABORTED' || error.message === 'aborted') return;
  port.postMessage({ type: 'failed', message: `The embedded store failed: ${error.message}` } satisfies WorkerMessage);
  process.exit(1);
});

async function dataDirIsFree(): Promise<boolean> {
  // LevelDB allows one process per folder; probing here turns a crash deep inside dynalite into a message.
  const probe = new Level(dataDir);
  try {
    await probe.open();
    await probe.close();
    return true;
  } catch {
    return false;
  }
}

await mkdir(dataDir, { recursive: true });
if (!(await dataDirIsFree())) {
  port.postMessage({
    type: 'failed',
    message: `The embedded store's data folder ${dataDir} is in use by another process. Stop that process, or set KV_DATA_DIR to another folder.`,
  } satisfies WorkerMessage);
} else {
  const server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(0, '127.0.0.1', () => {
    port.postMessage({ type: 'listening', port: (server.address() as AddressInfo).port } satisfies WorkerMessage);
  });
  port.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    server.closeAllConnections();
    server.close(() => {
      port.postMessage({ type: 'stopped' } satisfies WorkerMessage);
      port.close();
    });
  });
}
