import { access, cp, readdir, readFile, writeFile } from 'node:fs/promises';
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
 * Copies the consumer app `name` into `dir` and installs it with the packed library, from the registry like
 * a user would. An app with its own `src/main.ts` is whole; the others are test/consumers/<name> over the
 * shared sources and e2e test of test/consumers/app (a file of their own replaces the shared one). ESM
 * apps get `.js` on their relative imports, as ESM requires.
 */
export async function installConsumer(name: string, dir: string, tarball: string): Promise<void> {
  const own = join(CONSUMERS, name);
  await cp(own, dir, { recursive: true });
  const whole = await access(join(own, 'src/main.ts')).then(() => true, () => false);
  if (!whole) await cp(join(CONSUMERS, 'app'), dir, { recursive: true, force: false });
  const { type } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { type?: string };
  if (type === 'module') for (const folder of ['src', 'test']) await addJsExtensions(join(dir, folder));
  await succeed('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], dir);
}

async function addJsExtensions(folder: string): Promise<void> {
  for (const file of (await readdir(folder)).filter((name) => name.endsWith('.ts'))) {
    const path = join(folder, file);
    const source = await readFile(path, 'utf8');
    await writeFile(path, source.replace(/from '(\.{1,2}\/[^']+)'/g, "from '$1.js'"));
  }
}
