import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DynamoKvModule, getKvStoreToken, type KVStore } from '../../lib/index.js';
import { findInDocs } from '../support/docs-pages.js';
import { useFixture } from '../support/fixture.js';
import { freePort } from '../support/free-port.js';

const DYNALITE_CLI = fileURLToPath(new URL('../../node_modules/dynalite/cli.js', import.meta.url));

/** The docs' one-command local server: `npx dynalite@4 ...`, as arguments after the package. */
async function docsLocalServerArguments(): Promise<string[]> {
  const { match } = await findInDocs(/^npx dynalite@4 (.*)$/m, 'an `npx dynalite@4 ...` line');
  return match[1]!.trim().split(/\s+/);
}

/** The docs' local-development module options, taken from their `LocalAppModule` snippet. */
async function docsLocalOptions(): Promise<Record<string, unknown>> {
  const { match } = await findInDocs(/DynamoKvModule\.forRoot\((\{[\s\S]*?\})\),\s*\],\s*\}\)\s*export class LocalAppModule/, 'the LocalAppModule snippet');
  // A plain object literal of our own docs: evaluated as written.
  return new Function(`return (${match[1]!});`)() as Record<string, unknown>;
}


describe('local development as the docs show it: one command, then createTable', () => {
  const fixture = useFixture();

  it('starts a local DynamoDB with the documented command, and an app with the documented options creates its table and serves', async () => {
    const args = await docsLocalServerArguments();
    expect(args).toEqual(['--host', '127.0.0.1', '--port', '8000', '--createTableMs', '0']);
    const port = await freePort();
    // The same server and arguments, from this repository's own dynalite (npx would fetch it), on a free port.
    const server = spawn(process.execPath, [DYNALITE_CLI, ...args.map((arg) => (arg === '8000' ? String(port) : arg))], { stdio: ['ignore', 'pipe', 'pipe'] });
    fixture.defer(() => server.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      server.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('Dynalite listening') && resolve());
      server.on('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
    });

    const options = await docsLocalOptions();
    expect(options).toMatchObject({ endpoint: 'http://127.0.0.1:8000', createTable: true });
    const app = await fixture.app({ imports: [DynamoKvModule.forRoot({ ...options, endpoint: `http://127.0.0.1:${port}` } as never)] });
    const store = app.get<KVStore>(getKvStoreToken());
    await store.set('hello', 'world');
    await expect(store.get('hello')).resolves.toBe('world');
  });
});
