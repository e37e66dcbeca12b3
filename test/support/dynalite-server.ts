import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  endpoint: string;
  close(): Promise<void>;
}

/** Starts dynalite in this process on a free loopback port; tables become ACTIVE at once. */
export async function startDynalite(options: { path?: string } = {}): Promise<RunningServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...options });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
