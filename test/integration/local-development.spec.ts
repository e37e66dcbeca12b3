import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DynamoKvModule, getKvStoreToken, type KVStore } from '../../lib/index.js';
import { useFixture } from '../support/fixture.js';
import { freePort } from '../support/free-port.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const DYNALITE_CLI = fileURLToPath(new URL('../../node_modules/dynalite/cli.js', import.meta.url));

/** The README's one-command local server: `npx dynalite@4 ...`, as arguments after the package. */
async function readmeLocalServerArguments(): Promise<string[]> {
  const readme = await readFile(README, 'utf8');
  const line = /^npx dynalite@4 (.*)$/m.exec(readme)?.[1];
  if (line === undefined) throw new Error('The README has no `npx dynalite@4 ...` line.');
  return line.trim().split(/\s+/);
}

/** The README's local-development module options, taken from its `LocalAppModule` snippet. */
async function readmeLocalOptions(): Promise<Record<string, unknown>> {
  const readme = await readFile(README, 'utf8');
  const snippet = /DynamoKvModule\.forRoot\((\{[\s\S]*?\})\),\s*\],\s*\}\)\s*export class LocalAppModule/.exec(readme)?.[1];
  if (snippet === undefined) throw new Error('The README has no LocalAppModule snippet.');
  // A plain object literal of our own README's: evaluated as written.
  return new Function(`return (${snippet});`)() as Record<string, unknown>;
}


describe('local development as the README shows it: one command, then createTable', () => {
  const fixture = useFixture();

  it('starts a local DynamoDB with the README command, and an app with the README options creates its table and serves', async () => {
    const args = await readmeLocalServerArguments();
    expect(args).toEqual(['--host', '127.0.0.1', '--port', '8000', '--createTableMs', '0']);
    const port = await freePort();
    // The same server and arguments, from this repository's own dynalite (npx would fetch it), on a free port.
    const server = spawn(process.execPath, [DYNALITE_CLI, ...args.map((arg) => (arg === '8000' ? String(port) : arg))], { stdio: ['ignore', 'pipe', 'pipe'] });
    fixture.defer(() => server.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      server.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('Dynalite listening') && resolve());
      server.on('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
    });

    const options = await readmeLocalOptions();
    expect(options).toMatchObject({ endpoint: 'http://127.0.0.1:8000', createTable: true });
    const app = await fixture.app({ imports: [DynamoKvModule.forRoot({ ...options, endpoint: `http://127.0.0.1:${port}` } as never)] });
    const store = app.get<KVStore>(getKvStoreToken());
    await store.set('hello', 'world');
    await expect(store.get('hello')).resolves.toBe('world');
  });
});
