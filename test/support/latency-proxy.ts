import { Agent, createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LatencyProxy {
  endpoint: string;
  /** How many requests of `operation` (e.g. 'GetItem') reached the proxy. */
  requests(operation: string): number;
  /** The most writes (PutItem, UpdateItem, DeleteItem) of one item (by its partition key) that were out at once: received, not yet answered. */
  maxWritesInFlightPerItem(): number;
  close(): Promise<void>;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/**
 * A loopback HTTP proxy in front of a DynamoDB-protocol server that holds every request `delayMs` before
 * passing it on (or as long as `delayMs(operation)` says), as a DynamoDB further away (or busier) would
 * answer, and counts what goes through.
 */
export async function startLatencyProxy(target: string, delayMs: number | ((operation: string) => number), partitionKeyName = 'pk'): Promise<LatencyProxy> {
  const counts = new Map<string, number>();
  const inFlight = new Map<string, number>();
  let maxInFlight = 0;
  const sockets = new Set<Socket>();
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((incoming, outgoing) => {
    void readBody(incoming).then(async (body) => {
      const operation = String(incoming.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      const items = WRITES.has(operation) ? itemsOf(body, partitionKeyName) : [];
      for (const item of items) {
        const out = (inFlight.get(item) ?? 0) + 1;
        inFlight.set(item, out);
        maxInFlight = Math.max(maxInFlight, out);
      }
      const done = (): void => {
        for (const item of items) inFlight.set(item, inFlight.get(item)! - 1);
      };
      await new Promise((resolve) => setTimeout(resolve, typeof delayMs === 'number' ? delayMs : delayMs(operation)));
      const upstream = httpRequest(target, { method: incoming.method, path: incoming.url, headers: incoming.headers, agent }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
        answer.on('end', done);
      });
      upstream.on('error', (error) => {
        done();
        outgoing.destroy(error);
      });
      upstream.end(body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: (operation) => counts.get(operation) ?? 0,
    maxWritesInFlightPerItem: () => maxInFlight,
    close: () => {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      return new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}

/** The partition key a single-item write writes. */
function itemsOf(body: Buffer, partitionKeyName: string): string[] {
  const input = JSON.parse(body.toString('utf8') || '{}') as { Key?: Record<string, { S?: string }>; Item?: Record<string, { S?: string }> };
  const key = (input.Key ?? input.Item)?.[partitionKeyName]?.S;
  return key === undefined ? [] : [key];
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
