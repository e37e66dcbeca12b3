import { fileURLToPath } from 'node:url';
import { useFixture } from '../support/fixture.js';
import { createTableAt } from '../support/test-endpoint.js';
import { typeScriptProcessEnv } from '../support/ts-process.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const APP_MAIN = fileURLToPath(new URL('./throttler-app/main.ts', import.meta.url));

/** What a client sees of an answer: its status, the throttler's headers, and the body. */
interface Seen {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function get(url: string, client = 'one'): Promise<Seen> {
  const response = await fetch(url, { headers: { 'x-client': client }, signal: AbortSignal.timeout(10_000) });
  const headers = Object.fromEntries([...response.headers].filter(([name]) => /^(x-ratelimit-|retry-after)/.test(name)));
  return { status: response.status, headers, body: await response.text() };
}

describe.each(['express', 'fastify'] as const)('two app processes on %s behind ThrottlerGuard, one DynamoDB: one limit, answered as the in-memory storage answers', (platform) => {
  const fixture = useFixture('all');
  /** Two instances of the app over one table, and the same app with @nestjs/throttler's in-memory storage. */
  const apps = { shared: [] as string[], memory: '' };

  beforeAll(async () => {
    const server = await fixture.dynalite();
    await createTableAt(server.endpoint, 'throttler-e2e');
    // One frozen instant for all three: the times in the headers then depend on the hits alone.
    const now = String(Date.now());
    const start = (storage: 'dynamodb' | 'memory') =>
      fixture.serverProcess(APP_MAIN, {
        cwd: REPO,
        env: {
          // The app and the library from source (no build), through the repository's TypeScript hooks.
          ...typeScriptProcessEnv(),
          THROTTLER_STORAGE: storage,
          THROTTLER_PLATFORM: platform,
          THROTTLER_APP_NOW: now,
          DYNAMODB_ENDPOINT: server.endpoint,
          DYNAMODB_TABLE: 'throttler-e2e',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        listeningUrl: (line) => /^Listening on (\S+)$/.exec(line)?.[1],
      });
    const [first, second, memory] = await Promise.all([start('dynamodb'), start('dynamodb'), start('memory')]);
    apps.shared = [first!.baseUrl, second!.baseUrl];
    apps.memory = memory!.baseUrl;
  }, 120_000);

  it("gives a client's hits, spread over both instances, the statuses, X-RateLimit-* and Retry-After headers and 429 body of one in-memory instance", async () => {
    const shared: Seen[] = [];
    const memory: Seen[] = [];
    for (let hit = 0; hit < 6; hit += 1) {
      shared.push(await get(`${apps.shared[hit % 2]}/hits`));
      memory.push(await get(`${apps.memory}/hits`));
    }
    expect(shared).toEqual(memory);
    // What that is: two hits allowed (the default throttler's limit), the third refused without a block
    // (blockDuration 0) while `short` counts it, the fourth over `short`'s limit, blocked for its 30 s.
    expect(memory.map(({ status }) => status)).toEqual([200, 200, 429, 429, 429, 429]);
    expect(memory[1]!.headers).toEqual({
      'x-ratelimit-limit': '2',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '60',
      'x-ratelimit-limit-short': '3',
      'x-ratelimit-remaining-short': '1',
      'x-ratelimit-reset-short': '10',
    });
    expect(memory[2]!.headers).toMatchObject({ 'retry-after': '60', 'x-ratelimit-remaining-short': '0' });
    expect(memory[3]!.headers).toEqual({ 'retry-after-short': '30' });
    expect(JSON.parse(memory[3]!.body)).toEqual({ statusCode: 429, message: 'ThrottlerException: Too Many Requests' });
  });

  it('lets exactly the limit of concurrent hits through, spread over both instances, for each of several clients at once', async () => {
    const CLIENTS = 5;
    const HITS = 40;
    /** For each client, the number of its hits answered 200 and 429. */
    const counts = async (urls: string[]): Promise<number[][]> => {
      const all = Array.from({ length: CLIENTS * HITS }, (_, hit) => get(`${urls[hit % urls.length]}/burst`, `client-${hit % CLIENTS}`));
      const statuses = (await Promise.all(all)).map(({ status }) => status);
      return Array.from({ length: CLIENTS }, (_, client) => {
        const own = statuses.filter((_, hit) => hit % CLIENTS === client);
        return [own.filter((status) => status === 200).length, own.filter((status) => status === 429).length];
      });
    };
    const expected = Array.from({ length: CLIENTS }, () => [5, HITS - 5]);
    expect(await counts(apps.shared)).toEqual(expected);
    expect(await counts([apps.memory])).toEqual(expected);
  });
});
