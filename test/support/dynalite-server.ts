import dynalite, { type DynaliteOptions } from 'dynalite';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  endpoint: string;
  /** Sockets the server has open right now (clients' keep-alive connections included). */
  openConnections(): Promise<number>;
  /** Stops the server; stopping it again does nothing. */
  close(): Promise<void>;
}

/** Starts a dynalite of the test's own (to stop it, or to count its connections) on a free loopback port. */
export async function startDynalite(options: DynaliteOptions = {}): Promise<RunningServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...options });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    openConnections: () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      ),
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
