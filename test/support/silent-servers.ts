import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface HangingServer {
  endpoint: string;
  close(): Promise<void>;
}

/** A TCP server that accepts connections and never answers: a hanging DynamoDB endpoint. */
export async function startHangingServer(): Promise<HangingServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const endpoint = await listen(server);
  return {
    endpoint,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An endpoint on a loopback port that nothing listens on: connections are refused. */
export async function unreachableEndpoint(): Promise<string> {
  const server = createServer();
  const endpoint = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return endpoint;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
