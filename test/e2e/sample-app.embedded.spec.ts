import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { connect } from 'node:net';
import { useFixture } from '../support/fixture.js';
import { runSampleAppToExit } from '../support/server-process.js';

/** The built module (its worker is a built file too), typed by its source. */
type EmbeddedDynamoDbModule = typeof import('../../sample-app/src/storage/embedded-dynamodb.js');
const BUILT_EMBEDDED_DYNAMODB = new URL('../../sample-app/dist/storage/embedded-dynamodb.js', import.meta.url).href;

describe('sample app on its embedded store', () => {
  const fixture = useFixture();
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kv-sample-'));
    fixture.defer(() => rm(dataDir, { recursive: true, force: true }));
  });

  it('keeps data across a restart, even with AWS variables in the shell', async () => {
    // A shell set up for other AWS work must not move the sample off its embedded store.
    const env = { KV_DATA_DIR: dataDir, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIAOTHERWORK', AWS_SECRET_ACCESS_KEY: 'x' };
    const first = await fixture.sampleApp(env);
    expect(first.stdout.join('\n')).toContain(`Using the embedded DynamoDB-compatible store (dynalite), data in ${dataDir}`);
    const put = await fetch(`${first.baseUrl}/kv/durable`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: 'survives restarts',
    });
    expect(put.status).toBe(204);
    expect(await first.stop()).toBe(0);

    const second = await fixture.sampleApp(env);
    const get = await fetch(`${second.baseUrl}/kv/durable`);
    expect(await get.text()).toBe('survives restarts');
  });

  it('refuses, with a clear message, to start a second app on the same data folder', async () => {
    const first = await fixture.sampleApp({ KV_DATA_DIR: dataDir });
    const second = await runSampleAppToExit({ KV_DATA_DIR: dataDir });
    expect(second.code).toBe(1);
    expect(second.output).toContain(`The embedded store's data folder ${dataDir} is in use by another process.`);
    expect(second.output).not.toMatch(/LEVEL_|at .*node_modules/);
    expect((await fetch(`${first.baseUrl}/health`)).status).toBe(200);
  });

  it('refuses contradictory settings', async () => {
    const run = await runSampleAppToExit({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:1', KV_AWS_REGION: 'eu-west-1' });
    expect(run.code).toBe(1);
    expect(run.output).toContain('Set DYNAMODB_ENDPOINT (a local endpoint) or KV_AWS_REGION (real AWS), not both.');
  });

  it('keeps serving after clients drop their connections mid-request (dynalite would crash on them)', async () => {
    const { startEmbeddedDynamoDb } = (await import(BUILT_EMBEDDED_DYNAMODB)) as EmbeddedDynamoDbModule;
    const embedded = await startEmbeddedDynamoDb(dataDir);
    fixture.defer(() => embedded.stop());
    const { port } = new URL(embedded.endpoint);
    for (let drop = 0; drop < 20; drop += 1) {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write('POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 1000\r\n\r\n{"half":');
      await new Promise((resolve) => setTimeout(resolve, 20));
      socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const client = fixture.client(embedded.endpoint);
    await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: expect.any(Array) });
  });

  it('keeps every acknowledged write when killed with SIGKILL under 64 writers, and restarts on the same data', async () => {
    const first = await fixture.sampleApp({ KV_DATA_DIR: dataDir });
    const acknowledged = new Map<string, number>();
    let killed = false;
    const writers = Array.from({ length: 64 }, async (_, writer) => {
      for (let round = 1; round <= 100_000 && !killed; round += 1) {
        const response = await fetch(`${first.baseUrl}/kv/writer-${writer}`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: String(round) }).catch(
          () => undefined,
        );
        if (response?.status !== 204) return;
        acknowledged.set(`writer-${writer}`, round);
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await first.stop('SIGKILL');
    killed = true;
    await Promise.all(writers);

    const second = await fixture.sampleApp({ KV_DATA_DIR: dataDir });
    const acknowledgedWrites = [...acknowledged.values()].reduce((sum, rounds) => sum + rounds, 0);
    expect(acknowledgedWrites).toBeGreaterThan(64);
    let lost = 0;
    for (const [key, round] of acknowledged) {
      const stored = Number(await (await fetch(`${second.baseUrl}/kv/${key}`)).text());
      // The write in flight at the kill may have landed too; nothing acknowledged may be missing.
      if (stored !== round && stored !== round + 1) lost += 1;
    }
    console.log(`kill -9 under 64 writers: ${acknowledgedWrites} writes acknowledged before the kill, ${lost} keys lost their last acknowledged write`);
    expect(lost).toBe(0);
  });
});
