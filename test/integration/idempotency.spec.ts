import {
  BadRequestException,
  Body,
  Controller,
  Inject,
  Post,
  Query,
  Req,
  RequestTimeoutException,
  Res,
  ServiceUnavailableException,
  SetMetadata,
  type CallHandler,
  type ExecutionContext,
  type INestApplication,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { APP_INTERCEPTOR, HttpAdapterHost, Reflector, type AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { catchError, from, map, throwError, timeout, TimeoutError, type Observable } from 'rxjs';
import { Idempotent } from '../../lib/idempotency/idempotent.decorator.js';
import { KvIdempotencyInterceptor } from '../../lib/idempotency/kv-idempotency.interceptor.js';
import type { KvIdempotencyOptions } from '../../lib/idempotency/kv-idempotency.options.js';
import { DynamoKvModule, KV_STORE, type DynamoKvModuleForRootOptions, type KVStore } from '../../lib/index.js';
import { useFixture, useTable, type Fixture } from '../support/fixture.js';
import { LogCapture } from '../support/log-capture.js';
import { optionsAt, serverOptions } from '../support/store-options.js';

/** What the routes did, and hooks into their next runs. */
class Probe {
  runs = 0;
  /** Runs inside the handler, after it counted itself. */
  onRun: (() => Promise<void>) | undefined;
  /** Settles once the connection of the request that last called `watchClient` closes. */
  clientGone: Promise<void> = Promise.resolve();
  private readonly gates: Array<() => void> = [];

  /** The next run signals `started` and waits until `open()` (or the test's end). */
  holdNextRun(): { started: Promise<void>; open: () => void } {
    let signal = (): void => {};
    const started = new Promise<void>((resolve) => (signal = resolve));
    let open = (): void => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    this.gates.push(open);
    this.onRun = async () => {
      this.onRun = undefined;
      signal();
      await gate;
    };
    return { started, open };
  }

  /** The next run throws `error` (after counting itself). */
  failNextRun(error: unknown): void {
    this.onRun = async () => {
      this.onRun = undefined;
      throw error;
    };
  }

  watchClient(socket: Socket | undefined): void {
    this.clientGone = new Promise((resolve) => socket?.once('close', () => resolve()));
  }

  async run(): Promise<number> {
    const run = ++this.runs;
    await this.onRun?.();
    return run;
  }

  reset(): void {
    for (const open of this.gates.splice(0)) open();
    this.runs = 0;
    this.onRun = undefined;
  }
}

const PROBE = 'PROBE';

/** Express's Response and Fastify's Reply both have these. */
interface PassthroughResponse {
  status(code: number): unknown;
  header(name: string, value: string): unknown;
}

/** Express's Request has the socket; Fastify's Request has the Node.js request as `raw`. */
interface PlatformRequest {
  socket?: Socket;
  raw?: { socket?: Socket };
}

interface Order {
  id: string;
  item: string;
  run: number;
}

/** Where a route asks the outer timeout interceptor for a time limit. */
const TIMEOUT_MS = 'test:timeout-ms';

/** A time limit, as apps put one around their routes: registered before the idempotency interceptor, so outside it. */
class TimeoutInterceptor implements NestInterceptor {
  private readonly reflector = new Reflector();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ms = this.reflector.get<number | undefined>(TIMEOUT_MS, context.getHandler());
    if (ms === undefined) return next.handle();
    return next.handle().pipe(
      timeout(ms),
      catchError((error: unknown) => throwError(() => (error instanceof TimeoutError ? new RequestTimeoutException() : error))),
    );
  }
}

/** A pipe that refuses a body without a string `item`, as a ValidationPipe would. */
class RequireItemPipe implements PipeTransform {
  transform(value: unknown): unknown {
    if (typeof (value as { item?: unknown } | undefined)?.item !== 'string') throw new BadRequestException('item must be a string');
    return value;
  }
}

@Controller()
class OrdersController {
  constructor(@Inject(PROBE) private readonly probe: Probe) {}

  /** Answers 202 with a Location it sets itself, and a header that is not replayed. */
  @Post('orders')
  @Idempotent({ required: true })
  async create(@Body() body: { item: string }, @Res({ passthrough: true }) response: PassthroughResponse): Promise<Order> {
    const run = await this.probe.run();
    const id = randomUUID();
    response.status(202);
    response.header('Location', `/orders/${id}`);
    response.header('X-Run', String(run));
    return { id, item: body.item, run };
  }

  @Post('notes')
  @Idempotent()
  async note(@Body() body: unknown): Promise<{ body: unknown; run: number }> {
    return { body, run: await this.probe.run() };
  }

  @Post('plain')
  async plain(): Promise<{ run: number }> {
    return { run: await this.probe.run() };
  }

  /** Holds its key for two seconds at a time: the interceptor must renew it while this runs. */
  @Post('slow')
  @Idempotent({ inProgressTtlSeconds: 2 })
  async slow(): Promise<{ run: number }> {
    return { run: await this.probe.run() };
  }

  /** Returns an Observable, which Nest tears down when the client goes away. */
  @Post('observed')
  @Idempotent()
  observed(@Req() request: PlatformRequest): Observable<{ run: number }> {
    this.probe.watchClient(request.raw?.socket ?? request.socket);
    return from(this.probe.run()).pipe(map((run) => ({ run })));
  }

  /** With `?status=`, sets its status at its end, as many handlers do: here after the outer timeout's 408 went out. */
  @Post('timed')
  @Idempotent()
  @SetMetadata(TIMEOUT_MS, 200)
  async timed(@Query('status') status: string | undefined, @Res({ passthrough: true }) response: PassthroughResponse): Promise<{ run: number }> {
    const run = await this.probe.run();
    if (status !== undefined) response.status(Number(status));
    return { run };
  }

  @Post('checked')
  @Idempotent()
  async checked(@Body(RequireItemPipe) body: { item: string }): Promise<{ item: string; run: number }> {
    return { item: body.item, run: await this.probe.run() };
  }

  @Post('date')
  @Idempotent()
  async date(): Promise<Date> {
    return new Date(Date.UTC(2030, 0, 1, 0, 0, await this.probe.run()));
  }

  @Post('text')
  @Idempotent()
  async text(): Promise<string> {
    return `run ${await this.probe.run()}`;
  }
}

/** Every route takes keys, and requires them, unless it says otherwise. */
@Controller('shop')
@Idempotent({ required: true })
class ShopController {
  constructor(@Inject(PROBE) private readonly probe: Probe) {}

  @Post('cart')
  async cart(): Promise<{ run: number }> {
    return { run: await this.probe.run() };
  }

  @Post('browse')
  @Idempotent()
  async browse(): Promise<{ run: number }> {
    return { run: await this.probe.run() };
  }

  /** Sends its response itself, after it returned: Nest sends nothing of what it returns. */
  @Post('download')
  download(@Res() response: { status(code: number): { send(body: unknown): unknown } }): void {
    const run = ++this.probe.runs;
    setTimeout(() => response.status(200).send({ run }), 20);
  }
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

interface PostOptions {
  key?: string;
  headers?: Record<string, string>;
  /** Sent as it is; JSON of `body` otherwise. */
  raw?: string;
  signal?: AbortSignal;
}

async function post(base: string, path: string, body: unknown, keyOrOptions?: string | PostOptions): Promise<Answer> {
  const options = typeof keyOrOptions === 'string' ? { key: keyOrOptions } : (keyOrOptions ?? {});
  const headers = new Headers({ 'content-type': 'application/json', ...options.headers });
  if (options.key !== undefined) headers.set('Idempotency-Key', options.key);
  const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(10_000)]) : AbortSignal.timeout(10_000);
  const response = await fetch(`${base}${path}`, { method: 'POST', headers, body: options.raw ?? JSON.stringify(body), signal });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    // a text answer
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** Sends `send` again while it answers 409 "in use" (the first request still settling), a bounded number of times. */
async function onceSettled(send: () => Promise<Answer>): Promise<Answer> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const answer = await send();
    if (answer.status !== 409 || (answer.body as { error?: string }).error !== 'IDEMPOTENCY_KEY_IN_USE') return answer;
    await sleep(100);
  }
  throw new Error('the key stayed in use');
}

/** A POST written on a socket of its own, byte for byte: `fetch` joins repeated headers into one line. */
async function postWithRawHeaders(base: string, path: string, headerLines: string[]): Promise<{ status: number; text: string }> {
  const url = new URL(base);
  const body = '{}';
  const request = [`POST ${path} HTTP/1.1`, `Host: ${url.host}`, ...headerLines, 'Content-Type: application/json', `Content-Length: ${body.length}`, 'Connection: close', '', body].join('\r\n');
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.end(request));
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), text };
}

interface AppOptions {
  logger?: LogCapture;
  interceptor?: KvIdempotencyOptions;
}

/** An app with the interceptor registered globally, as the docs show (after a timeout interceptor), on `adapter`. */
async function startApp(fixture: Fixture, adapter: AbstractHttpAdapter, options: DynamoKvModuleForRootOptions, probe: Probe, app: AppOptions = {}): Promise<string> {
  const moduleRef = await Test.createTestingModule({
    imports: [DynamoKvModule.forRoot(options)],
    controllers: [OrdersController, ShopController],
    providers: [
      { provide: PROBE, useValue: probe },
      { provide: APP_INTERCEPTOR, useClass: TimeoutInterceptor },
      {
        provide: APP_INTERCEPTOR,
        inject: [KV_STORE, HttpAdapterHost],
        useFactory: (store: KVStore, adapterHost: HttpAdapterHost) =>
          new KvIdempotencyInterceptor(store, adapterHost, { inProgressTtlSeconds: 30, ...app.interceptor }),
      },
    ],
  })
    .setLogger(app.logger ?? new LogCapture())
    .compile();
  const nest: INestApplication = moduleRef.createNestApplication(adapter);
  fixture.defer(() => nest.close());
  await nest.listen(0, '127.0.0.1');
  return nest.getUrl();
}

function errorBody(statusCode: number, error: string): unknown {
  return { statusCode, error, message: expect.any(String) };
}

describe.each<[string, () => AbstractHttpAdapter]>([
  ['Express', () => new ExpressAdapter()],
  ['Fastify', () => new FastifyAdapter()],
])('KvIdempotencyInterceptor on %s, over DynamoDB', (platform, adapter) => {
  const table = useTable();
  const fixture = useFixture('all');
  const probe = new Probe();
  const logs = new LogCapture();
  let base: string;

  beforeAll(async () => {
    base = await startApp(fixture, adapter(), serverOptions(table.name), probe, { logger: logs });
  });
  afterEach(() => probe.reset());

  it('runs the first request with a key, and replays its status, body and Location to a repeat without running it again', async () => {
    const key = randomUUID();
    const first = await post(base, '/orders', { item: 'tea' }, key);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ id: expect.any(String), item: 'tea', run: 1 });
    expect(first.headers.get('location')).toBe(`/orders/${(first.body as Order).id}`);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const repeat = await post(base, '/orders', { item: 'tea' }, key);
    expect(repeat.status).toBe(202);
    expect(repeat.text).toBe(first.text);
    expect(repeat.headers.get('location')).toBe(first.headers.get('location'));
    expect(repeat.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    // Only the chosen headers are stored: this one described the first exchange, not its result.
    expect(repeat.headers.get('x-run')).toBeNull();
    expect(probe.runs).toBe(1);
  });

  it("takes the same body with its members in another order, and a quoted key (the draft's form) as the same key", async () => {
    const key = randomUUID();
    const first = await post(base, '/notes', { text: 'hi', tags: { b: 1, a: 2 } }, key);
    const repeat = await post(base, '/notes', { tags: { a: 2, b: 1 }, text: 'hi' }, `"${key}"`);
    expect(repeat).toMatchObject({ status: 201, body: first.body });
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(probe.runs).toBe(1);
  });

  it('replays the same bytes and content type for a result JSON changes (a Date) and for a text result', async () => {
    for (const path of ['/date', '/text']) {
      const key = randomUUID();
      const first = await post(base, path, {}, key);
      const repeat = await post(base, path, {}, key);
      expect(repeat.headers.get('idempotent-replayed')).toBe('true');
      expect({ status: repeat.status, text: repeat.text, type: repeat.headers.get('content-type') }).toEqual({
        status: first.status,
        text: first.text,
        type: first.headers.get('content-type'),
      });
    }
    expect(probe.runs).toBe(2);
  });

  it('answers 409 with Retry-After while the first request runs, then the first completes and is replayed', async () => {
    const key = randomUUID();
    const held = probe.holdNextRun();
    const first = post(base, '/orders', { item: 'tea' }, key);
    await held.started;

    const during = await post(base, '/orders', { item: 'tea' }, key);
    expect(during.status).toBe(409);
    expect(during.body).toEqual(errorBody(409, 'IDEMPOTENCY_KEY_IN_USE'));
    expect(during.headers.get('retry-after')).toBe('1');

    held.open();
    const answered = await first;
    expect(answered.status).toBe(202);
    await expect(post(base, '/orders', { item: 'tea' }, key)).resolves.toMatchObject({ status: 202, body: answered.body });
    expect(probe.runs).toBe(1);
  });

  it('keeps the key held past inProgressTtlSeconds while the handler runs, and stores its late response', async () => {
    const key = randomUUID();
    const held = probe.holdNextRun();
    const first = post(base, '/slow', {}, key);
    await held.started;
    // Well past the route's two-second hold: only renewals keep it.
    await sleep(5_000);
    await expect(post(base, '/slow', {}, key)).resolves.toMatchObject({ status: 409, body: errorBody(409, 'IDEMPOTENCY_KEY_IN_USE') });
    held.open();
    await expect(first).resolves.toMatchObject({ status: 201, body: { run: 1 } });
    await expect(post(base, '/slow', {}, key)).resolves.toMatchObject({ status: 201, body: { run: 1 } });
    expect(probe.runs).toBe(1);
  });

  it('follows a handler Nest tears down when the client goes away: the key stays held, and the retry gets its result', async () => {
    const key = randomUUID();
    const held = probe.holdNextRun();
    const client = new AbortController();
    const first = post(base, '/observed', {}, { key, signal: client.signal }).catch((error: unknown) => error);
    await held.started;
    client.abort();
    await expect(first).resolves.toMatchObject({ name: 'AbortError' });
    await probe.clientGone;
    // Nest has dropped the chain by now; the handler still runs.
    await expect(post(base, '/observed', {}, key)).resolves.toMatchObject({ status: 409, body: errorBody(409, 'IDEMPOTENCY_KEY_IN_USE') });
    held.open();
    const retry = await onceSettled(() => post(base, '/observed', {}, key));
    expect(retry).toMatchObject({ status: 201, body: { run: 1 } });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(probe.runs).toBe(1);
  });

  it.each<[string, number]>([
    ['/timed', 201],
    ['/timed?status=202', 202],
  ])('follows a handler an outer timeout() gave up on (%s): the client got 408, and its retry gets the result, with its status', async (path, status) => {
    const key = randomUUID();
    const held = probe.holdNextRun();
    const first = post(base, path, {}, key);
    await held.started;
    await expect(first).resolves.toMatchObject({ status: 408 });
    await expect(post(base, path, {}, key)).resolves.toMatchObject({ status: 409, body: errorBody(409, 'IDEMPOTENCY_KEY_IN_USE') });
    held.open();
    await expect(onceSettled(() => post(base, path, {}, key))).resolves.toMatchObject({ status, body: { run: 1 } });
    expect(probe.runs).toBe(1);
  });

  it('answers 422 to the same key with another body, another URL or another content type, and keeps the first response', async () => {
    const key = randomUUID();
    const first = await post(base, '/orders', { item: 'tea' }, key);
    const otherBody = await post(base, '/orders', { item: 'coffee' }, key);
    expect(otherBody).toMatchObject({ status: 422, body: errorBody(422, 'IDEMPOTENCY_KEY_REUSED') });
    const otherUrl = await post(base, '/notes', { item: 'tea' }, key);
    expect(otherUrl).toMatchObject({ status: 422, body: errorBody(422, 'IDEMPOTENCY_KEY_REUSED') });
    // The same object, sent as a form: it parses to what the JSON body parsed to.
    const form = await post(base, '/orders', undefined, { key, raw: 'item=tea', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form).toMatchObject({ status: 422, body: errorBody(422, 'IDEMPOTENCY_KEY_REUSED') });
    await expect(post(base, '/orders', { item: 'tea' }, key)).resolves.toMatchObject({ status: 202, body: first.body });
    expect(probe.runs).toBe(1);
  });

  it('never takes a body the platform did not parse for a retry: it answers 415 and runs nothing', async () => {
    const key = randomUUID();
    const binary = await post(base, '/notes', undefined, { key, raw: 'AAAA', headers: { 'content-type': 'application/octet-stream' } });
    expect(binary.status).toBe(415);
    const text = await post(base, '/notes', undefined, { key, raw: 'first', headers: { 'content-type': 'text/plain' } });
    if (platform === 'Express') {
      // Express parses JSON and forms only: the interceptor cannot see this body.
      expect(binary.body).toEqual(errorBody(415, 'IDEMPOTENCY_BODY_UNREADABLE'));
      expect(text).toMatchObject({ status: 415, body: errorBody(415, 'IDEMPOTENCY_BODY_UNREADABLE') });
      expect(probe.runs).toBe(0);
    } else {
      // Fastify refuses a type it has no parser for itself, and parses text/plain: that one is compared.
      expect(text).toMatchObject({ status: 201, body: { body: 'first', run: 1 } });
      const other = await post(base, '/notes', undefined, { key, raw: 'second', headers: { 'content-type': 'text/plain' } });
      expect(other).toMatchObject({ status: 422, body: errorBody(422, 'IDEMPOTENCY_KEY_REUSED') });
      expect(probe.runs).toBe(1);
    }
  });

  it('answers 400 to a request without a key where the route requires one, and runs routes that do not without it', async () => {
    const missing = await post(base, '/orders', { item: 'tea' });
    expect(missing).toMatchObject({ status: 400, body: errorBody(400, 'IDEMPOTENCY_KEY_MISSING') });
    expect(probe.runs).toBe(0);

    // Without a key, an optional route runs every time; a route without @Idempotent() ignores keys.
    expect((await post(base, '/notes', { text: 'a' })).body).toEqual({ body: { text: 'a' }, run: 1 });
    expect((await post(base, '/notes', { text: 'a' })).body).toEqual({ body: { text: 'a' }, run: 2 });
    const key = randomUUID();
    expect((await post(base, '/plain', {}, key)).body).toEqual({ run: 3 });
    const plainRepeat = await post(base, '/plain', {}, key);
    expect(plainRepeat.body).toEqual({ run: 4 });
    expect(plainRepeat.headers.get('idempotent-replayed')).toBeNull();
  });

  it("takes a route's @Idempotent() over its controller's", async () => {
    await expect(post(base, '/shop/cart', {})).resolves.toMatchObject({ status: 400, body: errorBody(400, 'IDEMPOTENCY_KEY_MISSING') });
    await expect(post(base, '/shop/browse', {})).resolves.toMatchObject({ status: 201, body: { run: 1 } });
    const key = randomUUID();
    await post(base, '/shop/cart', {}, key);
    await expect(post(base, '/shop/cart', {}, key)).resolves.toMatchObject({ status: 201, body: { run: 2 } });
    expect(probe.runs).toBe(2);
  });

  it.each<[string, string]>([
    ['empty quotes', '""'],
    ['a space', 'two words'],
    ['an unterminated quote', '"abc'],
    ['a comma', 'a,b'],
    ['256 characters', 'k'.repeat(256)],
    ['256 characters, quoted', `"${'k'.repeat(256)}"`],
  ])('answers 400 to a key with %s, in the JSON error shape, without running the route or echoing the key', async (_case, key) => {
    for (const path of ['/orders', '/notes']) {
      const answer = await post(base, path, { item: 'tea', text: 'x' }, key);
      expect(answer).toMatchObject({ status: 400, body: errorBody(400, 'INVALID_IDEMPOTENCY_KEY') });
      const sent = key.replaceAll('"', '');
      if (sent.length > 0) expect((answer.body as { message: string }).message).not.toContain(sent);
    }
    expect(probe.runs).toBe(0);
  });

  it('answers 400 to two Idempotency-Key header lines', async () => {
    const answer = await postWithRawHeaders(base, '/notes', ['Idempotency-Key: first-key', 'Idempotency-Key: second-key']);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('INVALID_IDEMPOTENCY_KEY');
    expect(answer.text).not.toContain('first-key');
    expect(probe.runs).toBe(0);
  });

  it('accepts a key of 255 characters', async () => {
    const key = 'k'.repeat(254) + String(Date.now() % 10);
    const first = await post(base, '/notes', { text: 'long' }, key);
    expect(first.status).toBe(201);
    expect((await post(base, '/notes', { text: 'long' }, key)).headers.get('idempotent-replayed')).toBe('true');
  });

  it('runs a route that sends its response itself (@Res(), here after it returned) once, and answers its repeats 409 at once', async () => {
    const key = randomUUID();
    await expect(post(base, '/shop/download', {}, key)).resolves.toMatchObject({ status: 200, body: { run: 1 } });
    const repeat = await post(base, '/shop/download', {}, key);
    expect(repeat).toMatchObject({ status: 409, body: errorBody(409, 'IDEMPOTENCY_RESPONSE_UNAVAILABLE') });
    expect(repeat.headers.get('retry-after')).toBeNull();
    expect(probe.runs).toBe(1);
    const warnings = logs.from('KvIdempotencyInterceptor').map((line) => String(line.message));
    expect(warnings).toContainEqual(expect.stringContaining('ShopController.download sends its response itself'));
  });

  it('frees the key on a 4xx from the handler, so that a retry runs it again and is then replayed', async () => {
    const key = randomUUID();
    probe.failNextRun(new BadRequestException('out of stock'));
    const failed = await post(base, '/orders', { item: 'tea' }, key);
    expect(failed.status).toBe(400);
    expect(failed.body).toMatchObject({ message: 'out of stock' });

    const retried = await post(base, '/orders', { item: 'tea' }, key);
    expect(retried).toMatchObject({ status: 202, body: { item: 'tea', run: 2 } });
    await expect(post(base, '/orders', { item: 'tea' }, key)).resolves.toMatchObject({ status: 202, body: retried.body });
    expect(probe.runs).toBe(2);
  });

  it('frees the key when a pipe refuses the body (the handler never ran), for the corrected request', async () => {
    const key = randomUUID();
    await expect(post(base, '/checked', { item: 5 }, key)).resolves.toMatchObject({ status: 400, body: { message: 'item must be a string' } });
    expect(probe.runs).toBe(0);
    const corrected = await post(base, '/checked', { item: 'tea' }, key);
    expect(corrected).toMatchObject({ status: 201, body: { item: 'tea', run: 1 } });
    await expect(post(base, '/checked', { item: 'tea' }, key)).resolves.toMatchObject({ status: 201, body: corrected.body });
    expect(probe.runs).toBe(1);
  });

  it('runs the handler once when duplicates race for a key a 4xx freed', async () => {
    const key = randomUUID();
    probe.failNextRun(new BadRequestException('out of stock'));
    await expect(post(base, '/orders', { item: 'tea' }, key)).resolves.toMatchObject({ status: 400 });
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(base, '/orders', { item: 'tea' }, key)));
    expect(probe.runs).toBe(2);
    const originals = answers.filter((answer) => answer.status === 202 && answer.headers.get('idempotent-replayed') === null);
    expect(originals).toHaveLength(1);
    for (const answer of answers) {
      if (answer.status === 409) expect(answer.body).toEqual(errorBody(409, 'IDEMPOTENCY_KEY_IN_USE'));
      else expect(answer).toMatchObject({ status: 202, body: originals[0]!.body });
    }
  });

  it('keeps a 5xx error answer and replays it, without running the handler again', async () => {
    const key = randomUUID();
    probe.failNextRun(new ServiceUnavailableException('payments are down'));
    const failed = await post(base, '/orders', { item: 'tea' }, key);
    expect(failed).toMatchObject({ status: 503, body: { statusCode: 503, message: 'payments are down' } });
    const repeat = await post(base, '/orders', { item: 'tea' }, key);
    expect({ status: repeat.status, text: repeat.text }).toEqual({ status: 503, text: failed.text });
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(probe.runs).toBe(1);
  });

  it('keeps the key after an unexpected error, and tells a repeat the response is unavailable rather than run it again', async () => {
    const key = randomUUID();
    probe.failNextRun(new Error('the payment provider hung up'));
    await expect(post(base, '/orders', { item: 'tea' }, key)).resolves.toMatchObject({ status: 500 });
    const repeat = await post(base, '/orders', { item: 'tea' }, key);
    expect(repeat).toMatchObject({ status: 409, body: errorBody(409, 'IDEMPOTENCY_RESPONSE_UNAVAILABLE') });
    expect((repeat.body as { message: string }).message).toContain('already run');
    expect(probe.runs).toBe(1);
  });
});

describe('KvIdempotencyInterceptor with a scope, over DynamoDB with operation logs on', () => {
  const table = useTable();
  const fixture = useFixture('all');
  const probe = new Probe();
  const logs = new LogCapture();
  let base: string;

  beforeAll(async () => {
    const scope = (context: ExecutionContext): string | undefined => {
      const tenant = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers['x-tenant'];
      return typeof tenant === 'string' ? tenant : undefined;
    };
    base = await startApp(fixture, new ExpressAdapter(), { ...serverOptions(table.name), logOperations: true }, probe, {
      logger: logs,
      interceptor: { scope },
    });
  });
  afterEach(() => probe.reset());

  it('keeps the keys of each scope apart: a client that knows another\'s key never gets its response', async () => {
    const key = randomUUID();
    const send = (tenant: string) => post(base, '/orders', { item: 'tea' }, { key, headers: { 'x-tenant': tenant } });
    const a = await send('tenant-a');
    const b = await send('tenant-b');
    expect(a).toMatchObject({ status: 202, body: { run: 1 } });
    expect(b).toMatchObject({ status: 202, body: { run: 2 } });
    await expect(send('tenant-a')).resolves.toMatchObject({ status: 202, body: a.body });
    await expect(send('tenant-b')).resolves.toMatchObject({ status: 202, body: b.body });
    expect(probe.runs).toBe(2);
  });

  it("never puts the client's key in the table or in the store's operation log", async () => {
    const key = `secret-${randomUUID()}`;
    await expect(post(base, '/orders', { item: 'tea' }, { key, headers: { 'x-tenant': 't' } })).resolves.toMatchObject({ status: 202 });
    const store = await fixture.storeApp(serverOptions(table.name));
    const stored: string[] = [];
    for await (const page of store.store.listKeys({ prefix: 'idem:' })) stored.push(...page);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.join('\n')).not.toContain(key);
    const storeLines = logs.from('DynamoKvStore');
    expect(storeLines.some((line) => line.text.includes('key='))).toBe(true);
    expect(JSON.stringify(logs.lines)).not.toContain(key);
  });
});

/**
 * Faults between the app and DynamoDB (the fault-injecting proxy; the store's client makes one attempt
 * per request, so that each fault hits exactly one request). The interceptor's logic is the same on both
 * platforms; Express carries it here.
 */
describe('KvIdempotencyInterceptor when DynamoDB fails', () => {
  const table = useTable();
  const fixture = useFixture();
  const probe = new Probe();
  afterEach(() => probe.reset());

  async function appBehindProxy(logger?: LogCapture) {
    const proxy = await fixture.faultProxy();
    const base = await startApp(fixture, new ExpressAdapter(), optionsAt(proxy.endpoint, table.name, { maxAttempts: 1 }), probe, { logger });
    return { proxy, base };
  }

  it('runs the handler once when the in-progress write was applied but its answer lost: the record, read back, is its own', async () => {
    const { proxy, base } = await appBehindProxy();
    // The write lands and its answer is lost; the store's own read-back fails too, so it cannot tell.
    proxy.inject({ operation: 'PutItem', fault: 'reset-after-forward', times: 1 });
    proxy.inject({ operation: 'GetItem', fault: 'reset-before-forward', times: 1 });
    const key = randomUUID();
    const answer = await post(base, '/orders', { item: 'tea' }, key);
    expect(answer).toMatchObject({ status: 202, body: { item: 'tea', run: 1 } });
    expect(proxy.requests('GetItem')).toBe(2);
    await expect(post(base, '/orders', { item: 'tea' }, key)).resolves.toMatchObject({ status: 202, body: answer.body });
    expect(probe.runs).toBe(1);
  });

  it('writes the same record again when the in-progress write was not applied and its outcome is unknown', async () => {
    const { proxy, base } = await appBehindProxy();
    proxy.inject({ operation: 'PutItem', fault: 'reset-before-forward', times: 1 });
    const key = randomUUID();
    await expect(post(base, '/orders', { item: 'tea' }, key)).resolves.toMatchObject({ status: 202, body: { run: 1 } });
    // The unknown write, the second one that took the key, and the completed response.
    expect(proxy.requests('PutItem')).toBe(3);
    expect(probe.runs).toBe(1);
  });

  it('answers 503 with Retry-After, and never runs the handler, while the in-progress write keeps an unknown outcome', async () => {
    const { proxy, base } = await appBehindProxy();
    proxy.inject({ operation: 'PutItem', fault: 'reset-before-forward' });
    const answer = await post(base, '/orders', { item: 'tea' }, randomUUID());
    expect(answer).toMatchObject({ status: 503, body: errorBody(503, 'OUTCOME_UNKNOWN') });
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(probe.runs).toBe(0);
  });

  it('frees the record of a claim it gave up on, if that write landed after all: the retry runs instead of meeting 409', async () => {
    const { proxy, base } = await appBehindProxy();
    // The write lands, its answer is lost, and both read-backs (the store's and the interceptor's) fail.
    proxy.inject({ operation: 'PutItem', fault: 'reset-after-forward', times: 1 });
    proxy.inject({ operation: 'GetItem', fault: 'reset-before-forward', times: 2 });
    const key = randomUUID();
    const given = await post(base, '/orders', { item: 'tea' }, key);
    expect(given).toMatchObject({ status: 503, body: errorBody(503, 'UNAVAILABLE') });
    expect(probe.runs).toBe(0);
    await expect(post(base, '/orders', { item: 'tea' }, key)).resolves.toMatchObject({ status: 202, body: { run: 1 } });
  });

  it('frees the key it took when an outer timeout() gave up while the store answered: nothing ran, so the retry runs', async () => {
    const { proxy, base } = await appBehindProxy();
    // The write that takes the key lands after the route's 200 ms time limit.
    proxy.inject({ operation: 'PutItem', fault: 'delay', times: 1 });
    const key = randomUUID();
    await expect(post(base, '/timed', {}, key)).resolves.toMatchObject({ status: 408 });
    expect(probe.runs).toBe(0);
    await expect(onceSettled(() => post(base, '/timed', {}, key))).resolves.toMatchObject({ status: 201, body: { run: 1 } });
  });

  it('answers 503 with Retry-After when DynamoDB is out of reach, without running the handler', async () => {
    const { proxy, base } = await appBehindProxy();
    await proxy.stop();
    const answer = await post(base, '/orders', { item: 'tea' }, randomUUID());
    expect(answer).toMatchObject({ status: 503, body: errorBody(503, 'UNAVAILABLE') });
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(probe.runs).toBe(0);
  });

  it('settles a write of the response whose outcome was unknown: the retry gets the response, not 409', async () => {
    const logs = new LogCapture();
    const { proxy, base } = await appBehindProxy(logs);
    const key = randomUUID();
    probe.onRun = async () => {
      probe.onRun = undefined;
      // The write of the completed response fails with a server error: it may or may not have been applied.
      proxy.inject({ operation: 'PutItem', fault: 'http-500', times: 1 });
    };
    const first = await post(base, '/orders', { item: 'tea' }, key);
    expect(first).toMatchObject({ status: 202, body: { item: 'tea', run: 1 } });

    const retry = await post(base, '/orders', { item: 'tea' }, key);
    expect(retry).toMatchObject({ status: 202, body: first.body });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(probe.runs).toBe(1);
    expect(logs.from('KvIdempotencyInterceptor')).toEqual([]);
  });

  it('still answers the client, and says so in the log, when DynamoDB is out of reach for the response; the key stays in use', async () => {
    const logs = new LogCapture();
    const { proxy, base } = await appBehindProxy(logs);
    const key = randomUUID();
    probe.onRun = async () => {
      probe.onRun = undefined;
      await proxy.stop();
    };
    const first = await post(base, '/orders', { item: 'tea' }, key);
    expect(first).toMatchObject({ status: 202, body: { item: 'tea', run: 1 } });
    const errors = logs.from('KvIdempotencyInterceptor').map((line) => String(line.message));
    expect(errors).toEqual([expect.stringContaining('OrdersController.create: the outcome of its run could not be stored (UNAVAILABLE)')]);
    await proxy.restart();
    await expect(post(base, '/orders', { item: 'tea' }, key)).resolves.toMatchObject({ status: 409, body: errorBody(409, 'IDEMPOTENCY_KEY_IN_USE') });
    expect(probe.runs).toBe(1);
    // Neither the key nor the response is logged.
    expect(JSON.stringify(logs.lines)).not.toContain(key);
    expect(JSON.stringify(logs.lines)).not.toContain((first.body as Order).id);
  });
});
