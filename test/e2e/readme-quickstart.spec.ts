import { execFileSync, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docsPage, fencedBlocks } from '../support/docs-pages.js';
import { useFixture } from '../support/fixture.js';
import { freePort } from '../support/free-port.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The run command the README shows first, e.g. `npm install && npm start`, as separate commands. */
async function readmeRunCommands(): Promise<string[][]> {
  const firstBlock = fencedBlocks((await docsPage('README.md')).text, 'bash')[0] ?? '';
  const line = firstBlock.split('\n').find((candidate) => candidate.includes('npm start')) ?? '';
  return line
    .replace(/#.*/, '')
    .split('&&')
    .map((command) => command.trim().split(/\s+/));
}

/**
 * A clean copy: the files git would hand a newcomer (tracked, or new and not ignored), nothing built, committed
 * to a repository of its own so that `git status` can tell what the README's commands change.
 */
async function cleanCopy(): Promise<string> {
  const target = await mkdtemp(join(tmpdir(), 'kv-readme-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  for (const file of files) {
    await mkdir(dirname(join(target, file)), { recursive: true });
    await cp(join(REPO, file), join(target, file)).catch(() => undefined); // deleted but still tracked
  }
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@localhost', '-c', 'commit.gpgsign=false', ...args], { cwd: target, stdio: 'pipe' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'clean copy');
  return target;
}

/** What `git status` would show a newcomer: files changed, and new files .gitignore does not cover. */
function gitStatus(dir: string): string {
  return execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' });
}


describe('the README quick start, followed literally on a clean copy', () => {
  const fixture = useFixture();

  it('installs, starts, and serves a PUT and a GET, leaving the working tree clean', async () => {
    const commands = await readmeRunCommands();
    expect(commands).toEqual([
      ['npm', 'install'],
      ['npm', 'start'],
    ]);
    const copy = await cleanCopy();
    fixture.defer(() => rm(copy, { recursive: true, force: true }));
    const env = { ...process.env, PORT: String(await freePort()), DYNAMODB_ENDPOINT: '', KV_AWS_REGION: '' };
    execFileSync(commands[0]![0]!, commands[0]!.slice(1), { cwd: copy, env, stdio: 'ignore', timeout: 240_000 });

    const [command, ...args] = commands[1]!;
    const start = spawn(command!, args, { cwd: copy, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    start.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    start.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    fixture.defer(() => {
      if (start.exitCode === null && start.signalCode === null) process.kill(-start.pid!, 'SIGTERM'); // npm and the app it started
    });
    const baseUrl = await listening(() => output, () => start.exitCode !== null || start.signalCode !== null);
    const put = await fetch(`${baseUrl}/kv/hello`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'world' });
    expect(put.status).toBe(204);
    const get = await fetch(`${baseUrl}/kv/hello`);
    expect(await get.text()).toBe('world');
    // Nothing to commit after the first commands: no lockfile rewritten by npm install, no build output or
    // data left where .gitignore does not cover it.
    expect(gitStatus(copy)).toBe('');
  }, 300_000); // npm install from the registry, then a build
});

async function listening(output: () => string, exited: () => boolean): Promise<string> {
  for (let attempt = 0; attempt < 600 && !exited(); attempt += 1) {
    const match = /"msg":"Listening on (http:\/\/[^"]+)"/.exec(output());
    if (match) return match[1]!;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`npm start ${exited() ? 'exited' : 'did not report listening'}:\n${output()}`);
}
