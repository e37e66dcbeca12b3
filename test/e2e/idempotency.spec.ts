import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useFixture } from '../support/fixture.js';
import { testEndpoint } from '../support/test-endpoint.js';
import { pathFrom, typeScriptProcessEnv } from '../support/ts-process.js';

const APP_MAIN = pathFrom(import.meta.url, './idempotency-app/main.ts');

/** Two processes start (and transpile the sources) side by side on a machine other tests share. */
const START_MS = 90_000;

interface Answer {
  status: number;
  replayed: boolean;
  body: Record<string, unknown>;
}

async function pay(base: string, key: string, amount: number, path = '/payments'): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ amount }),
    signal: AbortSignal.timeout(20_000),
  });
  return {
    status: response.status,
    replayed: response.headers.get('idempotent-replayed') === 'true',
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('Idempotency-Key across two app processes (Express and Fastify) sharing one DynamoDB table', () => {
  const fixture = useFixture('all');
  let bases: string[];
  let runsFile: string;

  beforeAll(async () => {
    const table = await fixture.table();
    runsFile = join(await fixture.tempDir('kv-idempotency-e2e-'), 'runs.log');
    await writeFile(runsFile, '');
    const start = (platform: string) =>
      fixture.serverProcess(APP_MAIN, {
        env: {
          ...typeScriptProcessEnv(),
          AWS_EC2_METADATA_DISABLED: 'true',
          DYNAMODB_ENDPOINT: testEndpoint(),
          KV_TABLE: table.name,
          RUNS_FILE: runsFile,
          PLATFORM: platform,
        },
        listeningUrl: (line) => /^Listening on (http:\/\/\S+)/.exec(line)?.[1],
      });
    bases = (await Promise.all([start('express'), start('fastify')])).map((server) => server.baseUrl);
  }, START_MS);

  it('runs the handler once per key under concurrent duplicates; every answer is the original, a replay of it, or 409', async () => {
    const keys = Array.from({ length: 8 }, () => randomUUID());
    const duplicates = 6;
    // Each key's copies alternate between the processes, half of the keys starting on each.
    const sent = keys.flatMap((key, index) =>
      Array.from({ length: duplicates }, (_, copy) => ({ key, promise: pay(bases[(copy + index) % 2]!, key, 100 + index) })),
    );
    const answers = await Promise.all(sent.map(async ({ key, promise }) => ({ key, answer: await promise })));

    const runs = (await readFile(runsFile, 'utf8')).split('\n').filter(Boolean);
    for (const [index, key] of keys.entries()) {
      expect(runs.filter((line) => line === key)).toHaveLength(1);
      const mine = answers.filter((sentAnswer) => sentAnswer.key === key).map(({ answer }) => answer);
      const originals = mine.filter((answer) => answer.status === 201 && !answer.replayed);
      expect(originals).toHaveLength(1);
      const original = originals[0]!.body;
      expect(original).toEqual({ paymentId: expect.any(String), amount: 100 + index, servedBy: expect.any(Number) });
      for (const answer of mine) {
        if (answer.status === 409) expect(answer.body).toEqual({ statusCode: 409, error: 'IDEMPOTENCY_KEY_IN_USE', message: expect.any(String) });
        else expect(answer).toEqual({ status: 201, replayed: answer !== originals[0], body: original });
      }
    }

    // Once settled, both processes replay each key's original response, and nothing runs again.
    for (const [index, key] of keys.entries()) {
      const original = answers.find(({ key: sentKey, answer }) => sentKey === key && answer.status === 201 && !answer.replayed)!.answer.body;
      for (const base of bases) await expect(pay(base, key, 100 + index)).resolves.toEqual({ status: 201, replayed: true, body: original });
    }
    expect((await readFile(runsFile, 'utf8')).split('\n').filter((line) => !line.startsWith('flaky:') && line !== '')).toHaveLength(keys.length);
  }, 60_000);

  it('runs the handler once more, not once per duplicate, when duplicates race for a key a 400 freed', async () => {
    const keys = Array.from({ length: 4 }, () => randomUUID());
    for (const [index, key] of keys.entries()) {
      await expect(pay(bases[index % 2]!, key, 1, '/payments/flaky')).resolves.toMatchObject({ status: 400, replayed: false });
    }
    const sent = keys.flatMap((key, index) => Array.from({ length: 6 }, (_, copy) => ({ key, promise: pay(bases[(copy + index) % 2]!, key, 1, '/payments/flaky') })));
    const answers = await Promise.all(sent.map(async ({ key, promise }) => ({ key, answer: await promise })));

    const runs = (await readFile(runsFile, 'utf8')).split('\n');
    for (const key of keys) {
      // The refused first run, and one more.
      expect(runs.filter((line) => line === `flaky:${key}`)).toHaveLength(2);
      const mine = answers.filter((sentAnswer) => sentAnswer.key === key).map(({ answer }) => answer);
      const originals = mine.filter((answer) => answer.status === 201 && !answer.replayed);
      expect(originals).toHaveLength(1);
      for (const answer of mine) {
        if (answer.status === 409) expect(answer.body).toMatchObject({ error: 'IDEMPOTENCY_KEY_IN_USE' });
        else expect(answer).toEqual({ status: 201, replayed: answer !== originals[0], body: originals[0]!.body });
      }
    }
  }, 60_000);
});
