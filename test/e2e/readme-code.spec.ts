import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../support/run-command.js';
import { useFixture, type Fixture } from '../support/fixture.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * What `nest new` (Nest CLI 11, @nestjs/schematics 11.1.0) writes for linting and formatting, verbatim: the
 * ESLint config (type-checked rules such as `require-await`, and Prettier as a rule) and `.prettierrc` (print
 * width 80 by default, single quotes, trailing commas everywhere). Nest CLI 12 writes the same `.prettierrc`.
 */
const NEST_NEW_ESLINT_CONFIG = `// @ts-check
import eslint from '@eslint/js';
import eslintPluginPrettierRecommended from 'eslint-plugin-prettier/recommended';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['eslint.config.mjs'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  eslintPluginPrettierRecommended,
  {
    languageOptions: {
      globals: {
        ...globals.node,
        ...globals.jest,
      },
      sourceType: 'commonjs',
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-floating-promises': 'warn',
      '@typescript-eslint/no-unsafe-argument': 'warn',
      "prettier/prettier": ["error", { endOfLine: "auto" }],
    },
  },
);
`;
const NEST_NEW_PRETTIERRC = `{
  "singleQuote": true,
  "trailingComma": "all"
}
`;

/** Every ```ts block of the README, in order. */
async function readmeTypeScriptBlocks(): Promise<string[]> {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

/**
 * The blocks as files `block-01.ts`, ... in `.readme-code/`, inside the repository so that `nestjs-dynamodb-kv`
 * resolves to the built package by its own name, with a tsconfig that sees them as an installed app would.
 */
async function writeBlocks(fixture: Fixture): Promise<{ dir: string; blocks: string[] }> {
  const blocks = await readmeTypeScriptBlocks();
  expect(blocks.length).toBeGreaterThan(5);
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
  return { dir, blocks };
}

describe('the README code', () => {
  const fixture = useFixture();

  it('compiles, block by block, against the built package (as an app resolves it)', async () => {
    const { dir } = await writeBlocks(fixture);
    const result = await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', dir], REPO);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);

  it("passes the lint and format checks of a `nest new` app (its ESLint config with Prettier's), warnings included", async () => {
    const { dir, blocks } = await writeBlocks(fixture);
    await writeFile(join(dir, 'eslint.config.mjs'), NEST_NEW_ESLINT_CONFIG);
    await writeFile(join(dir, '.prettierrc'), NEST_NEW_PRETTIERRC);
    const eslint = join(REPO, 'node_modules/eslint/bin/eslint.js');
    const result = await run(process.execPath, [eslint, '--max-warnings', '0', '.'], dir);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
    // Prettier wraps code at 80 columns but leaves comments as they are: they must fit too.
    expect(blocks.flatMap((block) => block.split('\n')).filter((line) => line.length > 80)).toEqual([]);
  }, 120_000);
});
