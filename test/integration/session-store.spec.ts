import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import express from 'express';
import session, { type SessionData } from 'express-session';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import {
  InvalidKeyError,
  InvalidValueError,
  InvalidJsonError,
  ItemTooLargeError,
  KvOutcomeUnknownError,
  KvStoreError,
  KvUnavailableError,
  MAX_ITEM_BYTES,
  MAX_KEY_BYTES,
  type KVStore,
} from '../../lib/index.js';
import { httpAnswerOf } from '../../lib/http/kv-error-status.js';
import {
  DEFAULT_SESSION_TTL_SECONDS,
  DynamoKvSessionStore,
  InvalidSessionDataError,
  InvalidSessionStoreOptionsError,
  SessionTooLargeError,
  type DynamoKvSessionStoreOptions,
} from '../../lib/session/index.js';
import { InMemoryKvStore } from '../../lib/testing/index.js';
import { docsPage, fencedBlocks } from '../support/docs-pages.js';
import { useFixture, useTable, type Fixture } from '../support/fixture.js';
import type { FaultProxy } from '../support/fault-proxy.js';
import { run } from '../support/run-command.js';
import { optionsAt, serverOptions } from '../support/store-options.js';
import { pathFrom } from '../support/ts-process.js';
import { buildTypeScript, type ModuleFormat } from '../support/typescript-build.js';

/** What a store's callback was called with. */
interface Answer<T> {
  error: unknown;
  result: T | undefined;
}

/**
 * Calls `invoke` with a callback and resolves with what it was called with, after checking that it was
 * called exactly once (a second call would come within a few turns of the event loop). Bounded: a callback
 * that never comes fails the test after 10 s.
 */
async function answerOf<T>(invoke: (callback: (error: unknown, result?: T) => void) => void): Promise<Answer<T>> {
  const answers: Array<Answer<T>> = [];
  let limit: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    limit = setTimeout(() => reject(new Error('The store never called back.')), 10_000);
    invoke((error, result) => {
      answers.push({ error, result });
      resolve();
    });
  }).finally(() => clearTimeout(limit));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(answers).toHaveLength(1);
  return answers[0]!;
}

/** The result of a call that must succeed. */
async function resultOf<T>(invoke: (callback: (error: unknown, result?: T) => void) => void): Promise<T | undefined> {
  const { error, result } = await answerOf(invoke);
  expect(error).toBeNull();
  return result;
}

/** The error of a call that must fail. */
async function errorOf(invoke: (callback: (error: unknown) => void) => void): Promise<unknown> {
  const { error } = await answerOf(invoke);
  expect(error).toBeInstanceOf(Error);
  return error;
}

/** A session as express-session hands it over: data, and a `Cookie` with `maxAge` (none: a browser-session cookie). */
function sessionOf(data: Record<string, unknown>, maxAgeMs?: number): SessionData {
  const cookie = new session.Cookie();
  // The setter of express-session's Cookie: expires at now + maxAge.
  if (maxAgeMs !== undefined) cookie.maxAge = maxAgeMs;
  const value = { ...data, cookie };
  return value;
}

/**
 * A session's JSON as it is stored after requests that only touched it: `expires` is still the one of its
 * last write, now passed (a touch moves the item's expiry, not the stored cookie), and `originalMaxAge`
 * is the cookie's lifetime.
 */
function staleSessionJson(data: Record<string, unknown>, originalMaxAge: number): string {
  const expires = new Date(Date.now() - 1_000).toISOString();
  return JSON.stringify({ ...data, cookie: { originalMaxAge, expires, httpOnly: true, path: '/' } });
}

/** Loads a session as express-session does (`get`, then its own `createSession`): a real `Session`, with `save()`. */
async function loaded(sessions: DynamoKvSessionStore, sid: string): Promise<session.Session & Record<string, unknown>> {
  const found = await resultOf<SessionData>((done) => sessions.load(sid, done));
  expect(found).toBeInstanceOf(session.Session);
  return found as unknown as session.Session & Record<string, unknown>;
}

/** What a stored session reads back as: its JSON. */
const asStored = (value: SessionData): unknown => JSON.parse(JSON.stringify(value));

interface Subject {
  store: KVStore;
  /** Lets `ms` pass for the store's expiry: waits on a real server, moves the clock of the in-memory one. */
  passTime(ms: number): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The session store contract, the same over DynamoDB (dynalite) and over InMemoryKvStore. */
describe.each<[string, (fixture: ReturnType<typeof useFixture>, tableName: () => string) => Promise<Subject>]>([
  [
    'DynamoKvStore on a real server',
    async (fixture, tableName) => {
      const { store } = await fixture.storeApp(serverOptions(tableName()));
      return { store, passTime: sleep };
    },
  ],
  [
    'InMemoryKvStore',
    async () => {
      let now = Date.now();
      return {
        store: new InMemoryKvStore({ now: () => now }),
        passTime: async (ms) => {
          now += ms;
        },
      };
    },
  ],
])('DynamoKvSessionStore over %s', (_name, open) => {
  const table = useTable();
  const fixture = useFixture();
  let prefixes = 0;

  /** A session store with a prefix of its own, so that the tests do not see each other's sessions. */
  async function sessionStore(options: DynamoKvSessionStoreOptions = {}) {
    const subject = await open(fixture, () => table.name);
    const sessions = new DynamoKvSessionStore(subject.store, { prefix: `sess-${++prefixes}:`, ...options });
    return { ...subject, sessions };
  }

  it('gives null for a session it never stored, and the session as stored after set', async () => {
    const { sessions } = await sessionStore();
    expect(await resultOf((done) => sessions.get('never-stored', done))).toBeNull();
    const stored = sessionOf({ user: 'ada', roles: ['admin'] }, 60_000);
    expect(await resultOf((done) => sessions.set('sid-1', stored, done))).toBeUndefined();
    expect(await resultOf((done) => sessions.get('sid-1', done))).toEqual(asStored(stored));
  });

  it('destroys a session, and destroying a missing one succeeds', async () => {
    const { sessions } = await sessionStore();
    await resultOf((done) => sessions.set('sid-1', sessionOf({ user: 'ada' }, 60_000), done));
    await resultOf((done) => sessions.destroy('sid-1', done));
    expect(await resultOf((done) => sessions.get('sid-1', done))).toBeNull();
    await resultOf((done) => sessions.destroy('sid-1', done));
  });

  it("ends a session when its cookie's maxAge has passed, rounded up to whole seconds", async () => {
    const { sessions, passTime } = await sessionStore();
    await resultOf((done) => sessions.set('short', sessionOf({ user: 'ada' }, 2_000), done));
    expect(await resultOf((done) => sessions.get('short', done))).not.toBeNull();
    await passTime(3_100);
    expect(await resultOf((done) => sessions.get('short', done))).toBeNull();
  });

  it('touch moves the expiry to the given cookie, and leaves the stored session as it was', async () => {
    const { sessions, passTime } = await sessionStore();
    const stored = sessionOf({ user: 'ada' }, 1_000);
    await resultOf((done) => sessions.set('rolling', stored, done));
    // Different data, a later expiry: touch must take the expiry only.
    await resultOf((done) => sessions.touch('rolling', sessionOf({ user: 'eve' }, 60_000), done));
    await passTime(2_100);
    expect(await resultOf((done) => sessions.get('rolling', done))).toEqual(asStored(stored));
  });

  it('touch does not bring back a session that is gone', async () => {
    const { sessions } = await sessionStore();
    await resultOf((done) => sessions.touch('never-stored', sessionOf({ user: 'ada' }, 60_000), done));
    expect(await resultOf((done) => sessions.get('never-stored', done))).toBeNull();
  });

  it('saving a loaded session whose stored expires has passed (touched since) writes it: never a delete', async () => {
    const { store, sessions } = await sessionStore({ prefix: 'stale:' });
    await store.set('stale:sid-1', staleSessionJson({ user: 'ada' }, 60_000));
    const user = await loaded(sessions, 'sid-1');
    user.note = 'changed';
    // What a handler's req.session.save() does, before express-session resets the cookie on answering.
    await resultOf((done) => user.save(done));
    expect(await resultOf((done) => sessions.get('sid-1', done))).toMatchObject({ user: 'ada', note: 'changed' });
  });

  it('set and touch of a cookie with no time left keep the session for the shortest TTL, a second', async () => {
    const { sessions, passTime } = await sessionStore();
    const noTimeLeft = (): SessionData => {
      const value = sessionOf({ user: 'ada' }, 60_000);
      value.cookie.maxAge = 0;
      return value;
    };
    await resultOf((done) => sessions.set('sid-1', noTimeLeft(), done));
    expect(await resultOf((done) => sessions.get('sid-1', done))).toMatchObject({ user: 'ada' });
    await resultOf((done) => sessions.touch('sid-1', noTimeLeft(), done));
    expect(await resultOf((done) => sessions.get('sid-1', done))).toMatchObject({ user: 'ada' });
    // One second, rounded up to the next whole second of the clock.
    await passTime(2_100);
    expect(await resultOf((done) => sessions.get('sid-1', done))).toBeNull();
  });

  it('counts, lists and clears only the sessions under its prefix', async () => {
    const { store, sessions } = await sessionStore({ prefix: 'user-sessions:' });
    const admin = new DynamoKvSessionStore(store, { prefix: 'admin-sessions:' });
    const mine = { a: sessionOf({ user: 'a' }, 60_000), b: sessionOf({ user: 'b' }, 60_000) };
    for (const [sid, value] of Object.entries(mine)) await resultOf((done) => sessions.set(sid, value, done));
    await resultOf((done) => admin.set('c', sessionOf({ user: 'c' }, 60_000), done));
    await store.set('user-other', 'not a session');

    expect(await resultOf<number>((done) => sessions.length(done))).toBe(2);
    expect(await resultOf((done) => sessions.all(done))).toEqual({ a: asStored(mine.a), b: asStored(mine.b) });
    await resultOf((done) => sessions.clear(done));

    expect(await resultOf<number>((done) => sessions.length(done))).toBe(0);
    expect(await resultOf<number>((done) => admin.length(done))).toBe(1);
    await expect(store.get('user-other')).resolves.toBe('not a session');
  });

  it('refuses a session over the item limit with SessionTooLargeError, and writes nothing', async () => {
    const { sessions } = await sessionStore();
    const small = sessionOf({ user: 'ada' }, 60_000);
    await resultOf((done) => sessions.set('big', small, done));
    const error = await errorOf((done) => sessions.set('big', sessionOf({ blob: 'x'.repeat(MAX_ITEM_BYTES) }, 60_000), done));
    expect(error).toBeInstanceOf(SessionTooLargeError);
    // An ItemTooLargeError, so that KvHttpExceptionFilter answers it 413 as it does the store's own.
    expect(error).toBeInstanceOf(ItemTooLargeError);
    expect(httpAnswerOf(error as SessionTooLargeError)).toEqual({ statusCode: 413 });
    expect(error).toMatchObject({ name: 'ItemTooLargeError', code: 'ITEM_TOO_LARGE', maxItemBytes: MAX_ITEM_BYTES });
    expect((error as Error).message).toMatch(/^The session is too large to store/);
    expect((error as Error).cause).toBeInstanceOf(ItemTooLargeError);
    expect(await resultOf((done) => sessions.get('big', done))).toEqual(asStored(small));
  });

  it('refuses a session id that is not a non-empty string, and a session with no JSON form', async () => {
    const { sessions } = await sessionStore();
    expect(await errorOf((done) => sessions.get('', done))).toBeInstanceOf(InvalidKeyError);
    expect(await errorOf((done) => sessions.destroy(undefined as unknown as string, done))).toBeInstanceOf(InvalidKeyError);
    const cyclic: Record<string, unknown> = { user: 'ada' };
    cyclic.self = cyclic;
    expect(await errorOf((done) => sessions.set('sid-1', sessionOf(cyclic, 60_000), done))).toBeInstanceOf(InvalidValueError);
  });

  it('reports a value under its prefix that is not a session as InvalidSessionDataError, without the session id or the value', async () => {
    const { store, sessions } = await sessionStore({ prefix: 'odd:' });
    const values = { counter: '42', text: 'not json{', cookieless: '{"user":"ada"}', cookieNull: '{"user":"ada","cookie":null}' };
    for (const [sid, value] of Object.entries(values)) {
      await store.set(`odd:${sid}`, value);
      const error = await errorOf((done) => sessions.get(sid, done));
      expect(error).toBeInstanceOf(InvalidSessionDataError);
      expect(error).not.toBeInstanceOf(InvalidJsonError);
      expect(error).not.toHaveProperty('key');
      expect((error as Error).cause).toBeUndefined();
      expect((error as Error).message).not.toContain(sid);
      expect((error as Error).message).not.toContain(value);
    }
    // all() parses what getMany read: the same error, without the parser's (which quotes the value) as cause.
    const json = new DynamoKvSessionStore(store, { prefix: 'odd-json:' });
    await store.set('odd-json:text', values.text);
    const error = await errorOf((done) => json.all(done));
    expect(error).toBeInstanceOf(InvalidSessionDataError);
    expect((error as Error).cause).toBeUndefined();
  });
});

describe('DynamoKvSessionStore on a real server, through a fault-injecting proxy', () => {
  const table = useTable();
  const fixture = useFixture();

  async function behindProxy(options: DynamoKvSessionStoreOptions = {}): Promise<{ proxy: FaultProxy; sessions: DynamoKvSessionStore }> {
    const proxy = await fixture.faultProxy();
    const { store } = await fixture.storeApp(optionsAt(proxy.endpoint, table.name));
    return { proxy, sessions: new DynamoKvSessionStore(store, options) };
  }

  const rawItem = async (key: string) =>
    (await table.client.send(new GetItemCommand({ TableName: table.name, Key: { pk: { S: key } }, ConsistentRead: true }))).Item;

  it("writes the cookie's expiry, rounded up to whole seconds, and a default TTL for a cookie without one", async () => {
    const { sessions } = await behindProxy({ defaultTtlSeconds: 120 });
    const timed = sessionOf({ user: 'ada' }, 1_500);
    await resultOf((done) => sessions.set('timed', timed, done));
    await resultOf((done) => sessions.set('browser-session', sessionOf({ user: 'ada' }), done));

    const expires = timed.cookie.expires!.getTime();
    const expiresAt = Number((await rawItem('sess:timed'))?.expiresAt?.N) * 1000;
    // Never before the cookie; later only by the rounding up to whole seconds (of the TTL and of the time written).
    expect(expiresAt).toBeGreaterThanOrEqual(expires);
    expect(expiresAt).toBeLessThan(expires + 2_000);
    const defaulted = Number((await rawItem('sess:browser-session'))?.expiresAt?.N) - Date.now() / 1000;
    expect(defaulted).toBeGreaterThan(100);
    expect(defaulted).toBeLessThanOrEqual(122);
    expect(DEFAULT_SESSION_TTL_SECONDS).toBe(86_400);
  });

  it("gives a loaded session saved again its cookie's originalMaxAge from now, not its stored expires, which may have passed", async () => {
    const { sessions } = await behindProxy();
    await sessions.store.set('sess:loaded', staleSessionJson({ user: 'ada' }, 60_000));
    const user = await loaded(sessions, 'loaded');
    const savedAt = Date.now();
    await resultOf((done) => user.save(done));
    const left = Number((await rawItem('sess:loaded'))?.expiresAt?.N) * 1000 - savedAt;
    // 60 s, rounded up to whole seconds (of the TTL and of the time written).
    expect(left).toBeGreaterThanOrEqual(60_000);
    expect(left).toBeLessThan(62_000);
  });

  it('touch is one UpdateItem that changes the expiry only: the stored value is the same bytes', async () => {
    const { proxy, sessions } = await behindProxy();
    await resultOf((done) => sessions.set('rolling', sessionOf({ user: 'ada' }, 10_000), done));
    const before = await rawItem('sess:rolling');
    const writes = () => proxy.requests('PutItem') + proxy.requests('BatchWriteItem');
    const writesBefore = writes();

    await resultOf((done) => sessions.touch('rolling', sessionOf({ user: 'eve' }, 3_600_000), done));

    const after = await rawItem('sess:rolling');
    expect(after?.value).toEqual(before?.value);
    expect(Number(after?.expiresAt?.N)).toBeGreaterThan(Number(before?.expiresAt?.N) + 3_000);
    expect(proxy.requests('UpdateItem')).toBe(1);
    expect(writes()).toBe(writesBefore);
  });

  it('refuses bad input and a too-large session before sending anything', async () => {
    const { proxy, sessions } = await behindProxy();
    await errorOf((done) => sessions.set('', sessionOf({ user: 'ada' }, 60_000), done));
    await errorOf((done) => sessions.set('big', sessionOf({ blob: 'x'.repeat(MAX_ITEM_BYTES) }, 60_000), done));
    await errorOf((done) => sessions.touch('x'.repeat(3_000), sessionOf({ user: 'ada' }, 60_000), done));
    for (const operation of ['PutItem', 'BatchWriteItem', 'UpdateItem', 'GetItem']) expect(proxy.requests(operation)).toBe(0);
  });

  it('calls back once with KvUnavailableError when DynamoDB is out of reach: nothing changed', async () => {
    const { proxy, sessions } = await behindProxy();
    await proxy.stop();
    expect(await errorOf((done) => sessions.get('sid-1', done))).toBeInstanceOf(KvUnavailableError);
    expect(await errorOf((done) => sessions.destroy('sid-1', done))).toBeInstanceOf(KvUnavailableError);
    expect(await errorOf((done) => sessions.length(done))).toBeInstanceOf(KvUnavailableError);
  });

  it('calls back once with KvOutcomeUnknownError when a write may have been applied, never with success or "not written"', async () => {
    const { proxy, sessions } = await behindProxy();
    proxy.inject({ operation: 'PutItem', fault: 'reset-after-forward' });
    proxy.inject({ operation: 'BatchWriteItem', fault: 'reset-after-forward' });
    expect(await errorOf((done) => sessions.set('sid-1', sessionOf({ user: 'ada' }, 60_000), done))).toBeInstanceOf(KvOutcomeUnknownError);
  });

  it('destroy calls back once with KvOutcomeUnknownError when it may have been applied', async () => {
    const { proxy, sessions } = await behindProxy();
    await resultOf((done) => sessions.set('sid-1', sessionOf({ user: 'ada' }, 60_000), done));
    proxy.inject({ operation: 'DeleteItem', fault: 'reset-after-forward' });
    proxy.inject({ operation: 'BatchWriteItem', fault: 'reset-after-forward' });
    expect(await errorOf((done) => sessions.destroy('sid-1', done))).toBeInstanceOf(KvOutcomeUnknownError);
    // It reached DynamoDB and was applied, though its caller could not be told.
    expect(await rawItem('sess:sid-1')).toBeUndefined();
  });

  it('touch calls back once with KvOutcomeUnknownError when it may have been applied', async () => {
    const { proxy, sessions } = await behindProxy();
    await resultOf((done) => sessions.set('sid-1', sessionOf({ user: 'ada' }, 60_000), done));
    const before = Number((await rawItem('sess:sid-1'))?.expiresAt?.N);
    proxy.inject({ operation: 'UpdateItem', fault: 'reset-after-forward' });
    expect(await errorOf((done) => sessions.touch('sid-1', sessionOf({ user: 'ada' }, 3_600_000), done))).toBeInstanceOf(KvOutcomeUnknownError);
    // It reached DynamoDB and was applied: the expiry moved.
    expect(Number((await rawItem('sess:sid-1'))?.expiresAt?.N)).toBeGreaterThan(before + 3_000);
  });

  it("without a callback, reports a failure to the store's 'error' listeners", async () => {
    const { proxy, sessions } = await behindProxy();
    await proxy.stop();
    let limit: NodeJS.Timeout | undefined;
    const reported = new Promise<unknown>((resolve, reject) => {
      limit = setTimeout(() => reject(new Error("No 'error' event within 10 s.")), 10_000);
      sessions.once('error', resolve);
    }).finally(() => clearTimeout(limit));
    sessions.destroy('sid-1');
    expect(await reported).toBeInstanceOf(KvUnavailableError);
  });
});

describe('DynamoKvSessionStore options', () => {
  it('are checked when the store is made, naming the option', () => {
    const store = new InMemoryKvStore();
    expect(() => new DynamoKvSessionStore(store, { prefix: '' })).toThrow(InvalidSessionStoreOptionsError);
    expect(() => new DynamoKvSessionStore(store, { prefix: '' })).toThrow(/option 'prefix' is empty and the KVStore has no keyPrefix/);
    expect(() => new DynamoKvSessionStore(store, { defaultTtlSeconds: 0 })).toThrow(/option 'defaultTtlSeconds'/);
    expect(() => new DynamoKvSessionStore(store, { defaultTtlSeconds: 1.5 })).toThrow(InvalidSessionStoreOptionsError);
    expect(() => new DynamoKvSessionStore(store, { consistentRead: 'yes' as unknown as boolean })).toThrow(/option 'consistentRead'/);
  });

  it('take a prefix only by the store key rules, with room left for a session id', () => {
    const store = new InMemoryKvStore();
    expect(() => new DynamoKvSessionStore(store, { prefix: 'p'.repeat(MAX_KEY_BYTES) })).toThrow(/option 'prefix' is 2048 UTF-8 bytes/);
    // 683 '€' are 2049 bytes in UTF-8, though only 683 characters.
    expect(() => new DynamoKvSessionStore(store, { prefix: '€'.repeat(683) })).toThrow(InvalidSessionStoreOptionsError);
    expect(() => new DynamoKvSessionStore(store, { prefix: 'sess:\uD800' })).toThrow(/option 'prefix' contains a lone UTF-16 surrogate/);
    expect(() => new DynamoKvSessionStore(store, { prefix: 5 as unknown as string })).toThrow(/option 'prefix' must be a string/);
    expect(new DynamoKvSessionStore(store, { prefix: 'p'.repeat(MAX_KEY_BYTES - 1) })).toBeInstanceOf(DynamoKvSessionStore);
  });

  it('refuse a missing store, something that is not a KVStore, and options that are not an object', () => {
    const construct = (store: unknown, options?: unknown) => () =>
      new DynamoKvSessionStore(store as KVStore, options as DynamoKvSessionStoreOptions | undefined);
    expect(construct(undefined)).toThrow(/option 'store' must be a KVStore .*, got undefined/);
    expect(construct({ get: () => undefined })).toThrow(InvalidSessionStoreOptionsError);
    expect(construct(new InMemoryKvStore(), null)).toThrow(/option 'options' must be an object, got null/);
    expect(construct(new InMemoryKvStore(), 'sess:')).toThrow(InvalidSessionStoreOptionsError);
    expect(construct(new InMemoryKvStore())).not.toThrow();
  });
});

describe('the errors of the session entry', () => {
  it('are each a row of the error table in docs/errors-and-outcomes.md, with their code', async () => {
    const entry = await import('../../lib/session/index.js');
    const errors = Object.values(entry as Record<string, unknown>).filter(
      (value): value is abstract new (...args: never[]) => KvStoreError => typeof value === 'function' && value.prototype instanceof KvStoreError,
    );
    expect(errors.map(({ name }) => name).sort()).toEqual(['InvalidSessionDataError', 'InvalidSessionStoreOptionsError', 'SessionTooLargeError']);
    const rows = (await docsPage('docs/errors-and-outcomes.md')).text.split('\n').filter((line) => line.startsWith('| `'));
    const codes = { InvalidSessionDataError: 'INVALID_SESSION_DATA', InvalidSessionStoreOptionsError: 'INVALID_SESSION_STORE_OPTIONS', SessionTooLargeError: 'ITEM_TOO_LARGE' };
    for (const [name, code] of Object.entries(codes)) {
      expect(rows.find((row) => row.startsWith(`| \`${name}\``))).toContain(`| \`${code}\` |`);
    }
  });
});

/** The parts of a session the Express app below uses. */
type AppSession = session.Session & { user?: string; notes?: string[] };

/**
 * An Express app with express-session over `store` (resave: false, so that unchanged sessions are touched),
 * on a loopback port, closed with the fixture: log in, see who is logged in, and add a note, which changes
 * the session and saves it in the handler, before express-session resets the cookie on answering.
 */
async function expressApp(fixture: Fixture, store: session.Store, maxAgeMs: number): Promise<string> {
  const app = express();
  app.use(session({ secret: 'a test secret', store, resave: false, saveUninitialized: false, cookie: { maxAge: maxAgeMs } }));
  const saved = (request: express.Request, response: express.Response, next: express.NextFunction) =>
    request.session.save((error: unknown) => (error ? next(error) : response.status(204).end()));
  app.post('/login', (request, response, next) => {
    (request.session as AppSession).user = 'ada';
    saved(request, response, next);
  });
  app.get('/me', (request, response) => {
    const { user, notes = [] } = request.session as AppSession;
    response.status(user === undefined ? 401 : 200).json({ user, notes });
  });
  app.post('/note', (request, response, next) => {
    const current = request.session as AppSession;
    if (current.user === undefined) return void response.status(401).end();
    current.notes = [...(current.notes ?? []), 'noted'];
    saved(request, response, next);
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fixture.defer(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Resolves at `atMs` (epoch milliseconds), at once if it has passed. */
const until = (atMs: number): Promise<void> => sleep(Math.max(0, atMs - Date.now()));

describe.each<[string, (fixture: Fixture, tableName: string) => Promise<KVStore>]>([
  ['DynamoKvStore on a real server', async (fixture, tableName) => (await fixture.storeApp(serverOptions(tableName))).store],
  ['InMemoryKvStore', async () => new InMemoryKvStore()],
])('DynamoKvSessionStore under express-session, over %s', (_name, open) => {
  const table = useTable();
  const fixture = useFixture();

  it('keeps a session touched past its first expiry when a handler then changes and saves it', async () => {
    const maxAgeMs = 3_000;
    const base = await expressApp(fixture, new DynamoKvSessionStore(await open(fixture, table.name)), maxAgeMs);
    const login = await fetch(`${base}/login`, { method: 'POST' });
    await login.text();
    // The cookie, and the session as first written, expire at most maxAge after this.
    const loggedInAt = Date.now();
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const me = async () => {
      const response = await fetch(`${base}/me`, { headers: { cookie } });
      return { status: response.status, body: (await response.json()) as unknown };
    };

    // An unchanged session: express-session touches it, which moves the item's expiry, not the stored cookie.
    await until(loggedInAt + maxAgeMs / 2);
    expect((await me()).status).toBe(200);
    // Past the first expiry, within the touched one.
    await until(loggedInAt + maxAgeMs + 300);
    const note = await fetch(`${base}/note`, { method: 'POST', headers: { cookie } });
    await note.text();
    expect(note.status).toBe(204);

    expect(await me()).toEqual({ status: 200, body: { user: 'ada', notes: ['noted'] } });
  }, 20_000);
});

describe('express-session, an optional peer', () => {
  const fixture = useFixture();

  /** In a fresh process: whether express-session was loaded after loading the main entry, then the session entry. */
  const probes: Record<ModuleFormat, (main: string, sessionEntry: string) => string> = {
    esm: (main, sessionEntry) => `
      import { createRequire } from 'node:module';
      import { pathToFileURL } from 'node:url';
      const cache = createRequire(process.cwd() + '/').cache;
      const loaded = () => Object.keys(cache).some((path) => path.includes('/node_modules/express-session/'));
      await import(pathToFileURL(${JSON.stringify(main)}).href);
      const main = loaded();
      await import(pathToFileURL(${JSON.stringify(sessionEntry)}).href);
      console.log(JSON.stringify({ main, session: loaded() }));
    `,
    cjs: (main, sessionEntry) => `
      const loaded = () => Object.keys(require.cache).some((path) => path.includes('/node_modules/express-session/'));
      require(${JSON.stringify(main)});
      const main = loaded();
      require(${JSON.stringify(sessionEntry)});
      console.log(JSON.stringify({ main, session: loaded() }));
    `,
  };

  it("has its types imported by the entry's declarations, so that every install line of the docs adds @types/express-session", async () => {
    const store = pathFrom(import.meta.url, '../../lib/session/dynamo-kv-session.store.ts');
    const build = await buildTypeScript(fixture, [store], 'esm', { declarations: true });
    const declarations = await readFile(build.outputOf(store).replace(/\.js$/, '.d.ts'), 'utf8');
    expect(declarations).toMatch(/from 'express-session'/);
    // An install command may span lines (a trailing backslash).
    const commands = fencedBlocks((await docsPage('docs/sessions.md')).text, 'bash').flatMap((block) => block.split(/(?<!\\)\n/));
    const installs = commands.filter((command) => /npm install .*\bexpress-session\b/.test(command.replace(/\\\n/g, ' ')));
    expect(installs.length).toBeGreaterThanOrEqual(2);
    for (const command of installs) expect(command).toContain('@types/express-session');
  }, 120_000);

  it.each<ModuleFormat>(['esm', 'cjs'])('is loaded by the built session entry only, not by the main entry (%s)', async (format) => {
    const [main, sessionEntry] = [pathFrom(import.meta.url, '../../lib/index.ts'), pathFrom(import.meta.url, '../../lib/session/index.ts')];
    const build = await buildTypeScript(fixture, [main, sessionEntry], format);
    const inputType = format === 'esm' ? 'module' : 'commonjs';
    const script = probes[format](build.outputOf(main), build.outputOf(sessionEntry));
    const result = await run(process.execPath, [`--input-type=${inputType}`, '-e', script], pathFrom(import.meta.url, '../..'), { limitMs: 60_000 });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.output.trim().split('\n').at(-1)!)).toEqual({ main: false, session: true });
  }, 120_000);
});
