import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { checkSigV4, type ReceivedRequest } from './sigv4-check.js';

/** An answer the proxy gives instead of forwarding: what a server would send, byte for byte. */
export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** One request that reached the proxy, as it arrived. */
export interface SeenRequest {
  operation: string;
  headers: ReceivedRequest['headers'];
  body: string;
  /** The access key of its signature, when the signature held. */
  accessKeyId?: string;
  /** The headers of the proxy's answer to it. */
  answered?: Record<string, string>;
}

export interface CheckingProxy {
  endpoint: string;
  /** The next requests (in order) get these answers instead of being forwarded; their signatures are checked first all the same. */
  script(...answers: ScriptedAnswer[]): void;
  /** Every request that reached the proxy, in order. */
  readonly seen: SeenRequest[];
  /** Requests whose signature did not hold, with why. */
  readonly refused: string[];
  close(): Promise<void>;
}

/**
 * A proxy in front of a real DynamoDB-protocol server (dynalite and DynamoDB Local do not check
 * signatures) that checks every request's SigV4 signature against the secrets it knows, refusing a bad
 * one as DynamoDB does (400, InvalidSignatureException), and that answers scripted answers on demand:
 * the answers a server cannot be made to give (an unknown error type, a damaged body).
 */
export async function startCheckingProxy(target: string, secrets: Record<string, string>): Promise<CheckingProxy> {
  const scripted: ScriptedAnswer[] = [];
  const seen: SeenRequest[] = [];
  const refused: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => response.destroy(error instanceof Error ? error : new Error(String(error))));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const operation = String(request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    const check = checkSigV4({ method: request.method ?? '', url: request.url ?? '/', headers: request.headers, body }, (id) => secrets[id]);
    const seenRequest: SeenRequest = { operation, headers: request.headers, body: body.toString('utf8'), accessKeyId: check.valid ? check.accessKeyId : undefined };
    seen.push(seenRequest);
    if (!check.valid) {
      refused.push(check.why);
      const answer = JSON.stringify({ __type: 'com.amazon.coral.service#InvalidSignatureException', message: `The request signature we calculated does not match the signature you provided (${check.why}).` });
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(answer);
      return;
    }
    const answer = scripted.shift();
    if (answer !== undefined) {
      seenRequest.answered = { 'content-type': 'application/x-amz-json-1.0', ...answer.headers };
      response.writeHead(answer.status, seenRequest.answered).end(answer.body);
      return;
    }
    const forwarded = await forward(request, body);
    seenRequest.answered = forwarded.headers;
    response.writeHead(forwarded.status, forwarded.headers).end(forwarded.body);
  }

  function forward(request: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(target, { method: request.method, path: request.url, headers: request.headers }, (answer) => {
        void readBody(answer).then((text) => {
          const headers: Record<string, string> = {};
          for (const name of ['content-type', 'x-amz-crc32', 'x-amzn-requestid', 'date']) {
            const value = answer.headers[name];
            if (typeof value === 'string') headers[name] = value;
          }
          resolve({ status: answer.statusCode ?? 502, headers, body: text });
        }, reject);
      });
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    script: (...answers) => scripted.push(...answers),
    seen,
    refused,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
