import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useFixture } from '../support/fixture.js';
import { runSampleAppToExit } from '../support/server-process.js';

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
});
