import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SeededRandom } from './seeded-random.js';

/** What the proxy does to a request instead of passing it through unchanged. */
export type Fault =
  /** BatchGetItem / BatchWriteItem: forward only the first key or item; answer the rest as unprocessed. */
  | 'unprocessed'
  /** Answer DynamoDB's throttling error without forwarding. */
  | 'throttle'
  /** Answer HTTP 500 with an HTML body, as a broken load balancer would. */
  | 'http-500'
  /** Accept the request and never answer. */
  | 'hang'
  /** Forward the request, then destroy the client's connection instead of answering. */
  | 'reset-after-forward'
  /** Forward the request, send the status line, headers and half of the answer's body, then destroy the connection. */
  | 'reset-mid-body'
  /** Forward the request after 300 ms, then answer as the server did. */
  | 'delay'
  /** Destroy the client's connection without forwarding: nothing reached the server. */
  | 'reset-before-forward'
  /** BatchGetItem / BatchWriteItem: forward a random part of the keys or items (from the chaos seed); answer the rest as unprocessed. */
  | 'unprocessed-random'
  /** Answer AccessDeniedException, as DynamoDB does for an action the role may not call. */
  | 'access-denied';

export interface FaultRule {
  /** The DynamoDB operation (from X-Amz-Target), e.g. 'BatchGetItem'. */
  operation: string;
  fault: Fault;
  /** How many matching requests get the fault; every one when absent. */
  times?: number;
}

export interface FaultProxy {
  endpoint: string;
  /** Adds a rule; rules apply in the order added, each until its `times` run out. */
  inject(rule: FaultRule): void;
  /** How many requests of `operation` reached the proxy. */
  requests(operation: string): number;
  /** How many requests given the 'hang' fault still have their connection open: the client has not given them up. */
  hung(): number;
  /** The bodies of the requests of `operation` that reached the proxy, in order. */
  bodies(operation: string): Json[];
  /** Stops listening and drops every connection: DynamoDB is down (connections are refused). */
  stop(): Promise<void>;
  /** Listens again, on the same port: DynamoDB is back. */
  restart(): Promise<void>;
  close(): Promise<void>;
  /** From now on, a random fault (one of `faults`) for a `rate` of the requests that no rule matches, drawn from `seed`. */
  chaos(options: ChaosOptions): void;
  /** Ends `chaos`: requests pass through again. */
  calm(): void;
}

export interface ChaosOptions {
  seed: number;
  /** The share of requests that get a fault, from 0 to 1. */
  rate: number;
  faults: readonly Fault[];
  /** The operations that may get one; every operation but DescribeTable by default. */
  operations?: readonly string[];
}

export type Json = Record<string, unknown>;

/**
 * A small HTTP proxy in front of a real DynamoDB-protocol server that injects the failures a server does
 * not produce on demand: unprocessed batch keys and items, throttling, HTTP 500s, hangs and resets.
 * Requests without a matching rule pass through untouched.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const rules: Array<FaultRule & { left: number }> = [];
  let chaos: { options: ChaosOptions; random: SeededRandom } | undefined;
  const received = new Map<string, Json[]>();
  const sockets = new Set<Socket>();
  const hungSockets = new Set<Socket>();
  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const operation = String(request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    received.set(operation, [...(received.get(operation) ?? []), JSON.parse(body || '{}') as Json]);
    const rule = rules.find((candidate) => candidate.operation === operation && candidate.left > 0);
    if (rule) rule.left -= 1;
    switch (rule?.fault ?? chaosFault(operation)) {
      case 'hang': {
        const { socket } = request;
        hungSockets.add(socket);
        socket.once('close', () => hungSockets.delete(socket));
        return;
      }
      case 'throttle':
        return reply(response, 400, {
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'The level of configured provisioned throughput for the table was exceeded.',
        });
      case 'access-denied':
        return reply(response, 400, {
          __type: 'com.amazon.coral.service#AccessDeniedException',
          message: `User: arn:aws:sts::123456789012:assumed-role/app is not authorized to perform: dynamodb:${operation}`,
        });
      case 'http-500':
        response.writeHead(500, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway from upstream 10.0.0.7</body></html>');
        return;
      case 'reset-after-forward':
        await forward(request, body);
        response.socket?.destroy();
        return;
      case 'reset-before-forward':
        response.socket?.destroy();
        return;
      case 'unprocessed-random':
        return replyWithUnprocessed(request, response, operation, JSON.parse(body) as Json, chaos?.random ?? new SeededRandom(0));
      case 'reset-mid-body': {
        const answer = await forward(request, body);
        response.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) });
        response.write(answer.body.slice(0, Math.floor(answer.body.length / 2)));
        await new Promise((resolve) => setTimeout(resolve, 20));
        response.socket?.destroy();
        return;
      }
      case 'delay': {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const answer = await forward(request, body);
        response.writeHead(answer.status, answer.headers).end(answer.body);
        return;
      }
      case 'unprocessed':
        return replyWithUnprocessed(request, response, operation, JSON.parse(body) as Json);
      default: {
        const answer = await forward(request, body);
        response.writeHead(answer.status, answer.headers).end(answer.body);
      }
    }
  }

  /**
   * Forwards part of a batch and answers the rest as unprocessed: the first key or item (every resend then
   * makes progress), or with `random`, each kept by chance. Anything else passes through.
   */
  async function replyWithUnprocessed(request: IncomingMessage, response: ServerResponse, operation: string, input: Json, random?: SeededRandom): Promise<void> {
    const split = <T>(all: T[]): [T[], T[]] => {
      if (random === undefined) return [all.slice(0, 1), all.slice(1)];
      const kept = all.map(() => random.chance(0.5));
      return [all.filter((_, index) => kept[index]), all.filter((_, index) => !kept[index])];
    };
    const items = input.RequestItems as Record<string, Json | Json[]> | undefined;
    const [table] = Object.keys(items ?? {});
    if (items === undefined || table === undefined || (operation !== 'BatchGetItem' && operation !== 'BatchWriteItem')) {
      const answer = await forward(request, JSON.stringify(input));
      response.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    if (operation === 'BatchGetItem') {
      const { Keys: keys, ...rest } = items[table] as { Keys: Json[] };
      const [sent, left] = split(keys);
      const answer = sent.length === 0 ? { Responses: { [table]: [] } } : (JSON.parse((await forward(request, JSON.stringify({ ...input, RequestItems: { [table]: { ...rest, Keys: sent } } }))).body) as Json);
      return reply(response, 200, { ...answer, UnprocessedKeys: left.length > 0 ? { [table]: { ...rest, Keys: left } } : {} });
    }
    const [sent, left] = split(items[table] as Json[]);
    const answer = sent.length === 0 ? {} : (JSON.parse((await forward(request, JSON.stringify({ ...input, RequestItems: { [table]: sent } }))).body) as Json);
    return reply(response, 200, { ...answer, UnprocessedItems: left.length > 0 ? { [table]: left } : {} });
  }

  function chaosFault(operation: string): Fault | undefined {
    if (chaos === undefined || operation === 'DescribeTable') return undefined;
    const { options, random } = chaos;
    if (options.operations !== undefined && !options.operations.includes(operation)) return undefined;
    return random.chance(options.rate) ? random.pick(options.faults) : undefined;
  }

  function forward(request: IncomingMessage, body: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    // dynalite and DynamoDB Local do not check signatures, so a rewritten body still goes through.
    const headers = { ...request.headers, 'content-length': String(Buffer.byteLength(body)) };
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(target, { method: request.method, path: request.url, headers }, (answer) => {
        void readBody(answer).then((text) => resolve({ status: answer.statusCode ?? 502, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: text }), reject);
      });
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stop = (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    inject: (rule) => rules.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY }),
    requests: (operation) => received.get(operation)?.length ?? 0,
    hung: () => hungSockets.size,
    bodies: (operation) => received.get(operation) ?? [],
    stop,
    chaos: (options) => {
      chaos = { options, random: new SeededRandom(options.seed) };
    },
    calm: () => {
      chaos = undefined;
    },
    restart: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close: stop,
  };
}

function readBody(stream: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

function reply(response: ServerResponse, status: number, body: Json): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
}
