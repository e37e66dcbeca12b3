import { PutItemCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHmac } from 'node:crypto';
import { useFixture } from '../support/fixture.js';
import type { ServerProcess } from '../support/server-process.js';
import { createTableAt, uniqueTableName } from '../support/test-endpoint.js';
import { pathFrom } from '../support/ts-process.js';
import { buildTypeScript, type ModuleFormat } from '../support/typescript-build.js';

const SESSION_APP = pathFrom(import.meta.url, './fixtures/session-app/main.ts');
const REPO = pathFrom(import.meta.url, '../..');
/** The app's cookie signing secret (fixtures/session-app/main.ts). */
const SECRET = 'a test secret of at least thirty-two characters';

/** `sid` signed as both libraries sign their cookie (cookie-signature's scheme): HMAC-SHA256, base64 without padding. */
const signed = (sid: string): string => `${sid}.${createHmac('sha256', SECRET).update(sid).digest('base64').replace(/=+$/, '')}`;

/** The session cookie (`name=value`) each library would set for session id `sid`. */
const cookieOf: Record<string, (sid: string) => string> = {
  express: (sid) => `connect.sid=${encodeURIComponent(`s:${signed(sid)}`)}`,
  fastify: (sid) => `sessionId=${encodeURIComponent(signed(sid))}`,
};

/** A session's item as DynamoDB holds it. */
interface StoredSession {
  key: string;
  value: string;
  expiresAt: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Resolves at `atMs` (epoch milliseconds), at once if it has passed. */
const until = (atMs: number): Promise<void> => sleep(Math.max(0, atMs - Date.now()));

/**
 * Two processes of one Nest app share their users' sessions through DynamoKvSessionStore on one table: a
 * login on one instance is seen by the other, reading a session extends it past its first expiry, its
 * cookie's expiry ends it, a logout ends it everywhere. On Express with express-session, and on Fastify
 * with @fastify/session; the app is built as an app's own build would build it, as CommonJS for the one
 * and ES modules for the other, so that both forms of the library run under a host library.
 */
describe.each<[string, ModuleFormat]>([
  ['express', 'cjs'],
  ['fastify', 'esm'],
])('sessions of two %s app processes (%s) on one table', (adapter, format) => {
  const fixture = useFixture('all');
  let client: DynamoDBClient;
  let table: string;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    const app = (await buildTypeScript(fixture, [SESSION_APP], format)).outputOf(SESSION_APP);
    const dynalite = await fixture.dynalite();
    table = uniqueTableName('sessions');
    await createTableAt(dynalite.endpoint, table);
    client = fixture.client(dynalite.endpoint);
    const start = (instance: string) =>
      fixture.serverProcess(app, {
        cwd: REPO,
        env: {
          AWS_EC2_METADATA_DISABLED: 'true',
          SESSION_ADAPTER: adapter,
          INSTANCE: instance,
          DYNAMODB_ENDPOINT: dynalite.endpoint,
          KV_TABLE: table,
        },
        listeningUrl: (line) => /^Listening on (http:\/\/\S+)/.exec(line)?.[1],
      });
    [a, b] = await Promise.all([start('A'), start('B')]);
  }, 120_000);

  /** Logs `user` in on `server` and returns the session cookie (`name=value`) it set. */
  async function logIn(server: ServerProcess, user: string, maxAgeMs?: number): Promise<string> {
    const response = await fetch(`${server.baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, maxAgeMs }),
    });
    expect(response.status).toBe(204);
    // To its end: express-session may send the headers before the store has saved the session.
    await response.text();
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toBeDefined();
    return cookie!.split(';')[0]!;
  }

  /**
   * GET /me with `cookie`, read to its end: express-session sends the headers before the session is saved
   * or touched, and ends the body only after the store called back.
   */
  async function me(server: ServerProcess, cookie: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${server.baseUrl}/me`, { headers: { cookie } });
    return { status: response.status, body: JSON.parse(await response.text()) };
  }

  /** The one stored session of `user`, read from the table itself. */
  async function storedSession(user: string): Promise<StoredSession | undefined> {
    const { Items = [] } = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    const found = Items.map(sessionItem).filter((item) => (JSON.parse(item.value) as { user?: string }).user === user);
    expect(found.length).toBeLessThanOrEqual(1);
    return found[0];
  }

  it('a login on instance A is seen by instance B', async () => {
    const cookie = await logIn(a, 'ada');
    expect(await me(b, cookie)).toEqual({ status: 200, body: { user: 'ada', instance: 'B' } });
    expect((await me(b, 'unrelated=1')).status).toBe(401);
    expect((await storedSession('ada'))?.key).toMatch(/^sess:/);
  });

  it(
    adapter === 'express'
      ? 'a request that leaves the session unchanged touches it: a later expiry, the same stored value'
      : 'a request that leaves the session unchanged saves it again (rolling): a later expiry',
    async () => {
      const cookie = await logIn(a, 'grace', 60_000);
      const before = await storedSession('grace');
      // Expiries are whole seconds: past the next one, a new expiry is a later one.
      await sleep(1_100);
      expect((await me(b, cookie)).status).toBe(200);
      const after = await storedSession('grace');
      expect(after!.expiresAt).toBeGreaterThan(before!.expiresAt);
      // express-session calls touch, which leaves the value alone; @fastify/session has no touch and saves.
      if (adapter === 'express') expect(after!.value).toBe(before!.value);
    },
  );

  it('a session kept past its first expiry by requests survives a change its handler saves, on every instance', async () => {
    const maxAgeMs = 3_000;
    const cookie = await logIn(a, 'margaret', maxAgeMs);
    // The cookie, and the session as first written, expire at most maxAge after this.
    const loggedInAt = Date.now();
    // express-session touches the unchanged session (a new item expiry, the stored cookie as it was);
    // @fastify/session saves it again.
    await until(loggedInAt + maxAgeMs / 2);
    expect((await me(b, cookie)).status).toBe(200);
    // Past the first expiry, within the one the request gave it.
    await until(loggedInAt + maxAgeMs + 300);
    expect((await me(a, cookie)).status).toBe(200);

    const note = await fetch(`${a.baseUrl}/note`, { method: 'POST', headers: { cookie } });
    await note.text();
    expect(note.status).toBe(204);

    expect(await me(b, cookie)).toEqual({ status: 200, body: { user: 'margaret', instance: 'B' } });
    expect(JSON.parse((await storedSession('margaret'))!.value)).toMatchObject({ noteCount: 1 });
  });

  it("the cookie's maxAge ends the session on every instance", async () => {
    const cookie = await logIn(a, 'linus', 1_500);
    const { expiresAt } = (await storedSession('linus'))!;
    // No request meanwhile: it would extend the session.
    const untilExpired = expiresAt * 1000 - Date.now() + 100;
    expect(untilExpired).toBeLessThan(5_000);
    await sleep(untilExpired);
    expect((await me(b, cookie)).status).toBe(401);
    expect((await me(a, cookie)).status).toBe(401);
  });

  it('a session over the item limit fails the login with a 413 (SessionTooLargeError), and nothing is stored', async () => {
    const response = await fetch(`${a.baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'hoarder', noteBytes: 500_000 }),
    });
    // KvHttpExceptionFilter answers it as the ItemTooLargeError it is.
    expect(response.status).toBe(413);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ statusCode: 413, message: expect.stringMatching(/^The session is too large to store: /) as unknown });
    // On Fastify, @fastify/session saves the changed session again before sending that answer, fails the
    // same way, and Fastify answers that failure in its own shape (the code as `code`), keeping the 413.
    expect(adapter === 'express' ? body.error : body.code).toBe('ITEM_TOO_LARGE');
    expect(await storedSession('hoarder')).toBeUndefined();
  });

  it('a session id whose stored value is not a session is answered 503 (InvalidSessionDataError), not a crash', async () => {
    // An object without a cookie: express-session's createSession would throw a TypeError reading it.
    const Item = { pk: { S: 'sess:not-a-session' }, value: { S: JSON.stringify({ user: 'mallory' }) } };
    await client.send(new PutItemCommand({ TableName: table, Item }));
    const response = await fetch(`${a.baseUrl}/me`, { headers: { cookie: cookieOf[adapter]!('not-a-session') } });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ statusCode: 503, error: 'INVALID_SESSION_DATA' });
  });

  it('a logout on one instance ends the session on the other', async () => {
    const cookie = await logIn(a, 'barbara');
    expect((await me(b, cookie)).status).toBe(200);
    const logout = await fetch(`${b.baseUrl}/logout`, { method: 'POST', headers: { cookie } });
    await logout.text();
    expect(logout.status).toBe(204);
    expect((await me(a, cookie)).status).toBe(401);
    expect(await storedSession('barbara')).toBeUndefined();
  });
});

function sessionItem(item: Record<string, AttributeValue>): StoredSession {
  return { key: item.pk?.S ?? '', value: item.value?.S ?? '', expiresAt: Number(item.expiresAt?.N) };
}
