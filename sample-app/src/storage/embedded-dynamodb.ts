import { Worker } from 'node:worker_threads';
import type { WorkerMessage } from './dynalite.worker.js';

export interface EmbeddedDynamoDb {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Runs dynalite in a worker thread, so that serving DynamoDB requests does not take the app's event loop,
 * persisting to `dataDir`.
 */
export function startEmbeddedDynamoDb(dataDir: string): Promise<EmbeddedDynamoDb> {
  const worker = new Worker(new URL('./dynalite.worker.js', import.meta.url), { workerData: { dataDir } });
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage) => {
      if (message.type === 'failed') {
        void worker.terminate();
        reject(new Error(message.message));
      } else if (message.type === 'listening') {
        worker.off('error', reject);
        resolve({ endpoint: `http://127.0.0.1:${message.port}`, stop: () => stopWorker(worker) });
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

function stopWorker(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'stopped') void worker.terminate().then(() => resolve());
    });
    worker.once('exit', () => resolve());
    worker.postMessage('stop');
  });
}
