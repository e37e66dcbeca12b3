import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { succeed } from './run-command.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CONSUMERS = join(REPO, 'test/consumers');

/** `npm pack` of this repository (its prepack builds a clean dist) into `dir`; the tarball's path. */
export async function packLibrary(dir: string): Promise<string> {
  const output = await succeed('npm', ['pack', '--pack-destination', dir], REPO);
  const tarball = output.split('\n').findLast((line) => line.trim().endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack named no tarball:\n${output}`);
  return join(dir, tarball.trim());
}

/**
 * Copies the consumer app `name` (test/consumers/<name>, with the shared sources of test/consumers/app
 * unless it has its own) into `dir` and installs it with the packed library, from the registry like a
 * user would. ESM apps get `.js` on their relative imports, as ESM requires.
 */
export async function installConsumer(name: string, dir: string, tarball: string): Promise<void> {
  const own = join(CONSUMERS, name);
  await cp(own, dir, { recursive: true });
  if (!(await readdir(dir)).includes('src')) await cp(join(CONSUMERS, 'app'), dir, { recursive: true });
  const { type } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { type?: string };
  if (type === 'module') await addJsExtensions(join(dir, 'src'));
  await succeed('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], dir);
}

async function addJsExtensions(src: string): Promise<void> {
  for (const file of await readdir(src)) {
    const path = join(src, file);
    const source = await readFile(path, 'utf8');
    await writeFile(path, source.replace(/from '(\.{1,2}\/[^']+)'/g, "from '$1.js'"));
  }
}
