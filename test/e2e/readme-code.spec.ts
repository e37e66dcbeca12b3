import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../support/run-command.js';
import { useFixture } from '../support/fixture.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Every ```ts block of the README, in order. */
async function readmeTypeScriptBlocks(): Promise<string[]> {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

describe('the README code', () => {
  const fixture = useFixture();

  it('compiles, block by block, against the built package (as an app resolves it)', async () => {
    const blocks = await readmeTypeScriptBlocks();
    expect(blocks.length).toBeGreaterThan(5);
    // Inside the repository, so that `nestjs-dynamodb-kv` resolves to the built package by its own name.
    const dir = join(REPO, '.readme-code');
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    fixture.defer(() => rm(dir, { recursive: true, force: true }));
    await Promise.all(blocks.map((block, index) => writeFile(join(dir, `block-${String(index + 1).padStart(2, '0')}.ts`), block)));
    const tsconfig = {
      extends: '../tsconfig.json',
      // No path mapping: the package's exports and its built declarations, as an installed app sees them.
      compilerOptions: { noEmit: true, rootDir: '.', paths: {}, noUnusedLocals: false, types: ['node', 'jest'] },
      include: ['*.ts'],
      exclude: [],
    };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const result = await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', dir], REPO);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);
});
