import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docsPages, fencedBlocks } from '../support/docs-pages.js';
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

/** A ```ts block of a page, and the file it is checked as, named after the page: `readme-01.ts`, `docs-cache-02.ts`. */
interface Block {
  file: string;
  code: string;
}

/** Every ```ts block of README.md and of every docs/*.md page, in order. */
async function typeScriptBlocks(): Promise<Block[]> {
  return (await docsPages()).flatMap(({ path, text }) => {
    const page = path.replace(/\.md$/, '').replace(/\//g, '-').toLowerCase();
    return fencedBlocks(text, 'ts').map((code, index) => ({ file: `${page}-${String(index + 1).padStart(2, '0')}.ts`, code }));
  });
}

/**
 * The blocks as files in `.readme-code/`, inside the repository so that `nestjs-dynamodb-kv` resolves to the
 * built package by its own name, with a tsconfig that sees them as an installed app would.
 */
async function writeBlocks(fixture: Fixture): Promise<{ dir: string; blocks: Block[] }> {
  const blocks = await typeScriptBlocks();
  expect(blocks.length).toBeGreaterThan(5);
  const dir = join(REPO, '.readme-code');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  fixture.defer(() => rm(dir, { recursive: true, force: true }));
  await Promise.all(blocks.map(({ file, code }) => writeFile(join(dir, file), code)));
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

describe('the code of the README and the docs/ pages', () => {
  const fixture = useFixture();

  it('has ts blocks in the README and in the docs/ pages', async () => {
    const pages = new Set((await typeScriptBlocks()).map(({ file }) => file.replace(/-\d+\.ts$/, '')));
    expect(pages).toContain('readme');
    expect(pages.size).toBeGreaterThan(5);
  });

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
    const longLines = blocks.flatMap(({ file, code }) =>
      code.split('\n').flatMap((line, index) => (line.length > 80 ? [`${file}:${index + 1}: ${line}`] : [])),
    );
    expect(longLines).toEqual([]);
  }, 120_000);
});

/** GitHub's anchor for a heading: lower case, punctuation other than `-` and `_` dropped, spaces as `-`. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a page's headings (outside code blocks), with GitHub's `-1`, `-2` for repeats. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const [, heading] of text.replace(/^```[\s\S]*?^```$/gm, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const anchor = anchorOf(heading!);
    const count = counts.get(anchor) ?? 0;
    counts.set(anchor, count + 1);
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
  }
  return anchors;
}

describe('the links of the README and the docs/ pages', () => {
  it('are relative links to files of the repository, and to headings that exist', async () => {
    const pages = await docsPages();
    const anchors = new Map(pages.map(({ path, text }) => [path, anchorsOf(text)]));
    const broken: string[] = [];
    for (const { path, text } of pages) {
      const prose = text.replace(/^```[\s\S]*?^```$/gm, '');
      for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue; // https:, mailto:
        const [file = '', anchor] = target!.split('#');
        const linked = file === '' ? path : posix.normalize(posix.join(dirname(path), file));
        const exists = await access(join(REPO, linked)).then(() => true, () => false);
        if (!exists || linked.startsWith('..')) broken.push(`${path}: ${target} (no file ${linked})`);
        else if (anchor !== undefined && linked.endsWith('.md') && !anchors.get(linked)?.has(anchor)) broken.push(`${path}: ${target} (no heading #${anchor})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
