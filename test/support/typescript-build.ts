import { symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fixture } from './fixture.js';
import { run } from './run-command.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The two forms the package ships (package.json `exports`): ES modules and CommonJS. */
export type ModuleFormat = 'esm' | 'cjs';

/** Compiler options of each form, as tsconfig.build.json and tsconfig.build-cjs.json give them. */
const FORMAT_OPTIONS: Record<ModuleFormat, Record<string, string>> = {
  esm: { module: 'NodeNext', moduleResolution: 'NodeNext' },
  cjs: { module: 'CommonJS', moduleResolution: 'Bundler' },
};

/** tsc's exit code when it found type errors and wrote its output all the same. */
const OUTPUT_WRITTEN_WITH_ERRORS = 2;

export interface TypeScriptBuild {
  /** The compiled form of a `.ts` file of this repository (its `.d.ts` with `declarations`: the same path, `.d.ts`). */
  outputOf(repositoryFile: string): string;
}

/**
 * Compiles `files` of this repository, and the library source they import, with the repository's
 * TypeScript as the package's build does, into a new folder of `fixture` whose package.json marks its
 * form and whose packages resolve from this repository's node_modules. What runs from it is what an app
 * gets from the built package, not the source through a loader. Type errors do not stop it (tsc still
 * writes its output: exit code 2): `npm run typecheck` reports them, and in a tree that others edit at
 * the same time, one in a file the build merely passes through says nothing about what is tested here.
 */
export async function buildTypeScript(fixture: Fixture, files: string[], format: ModuleFormat, { declarations = false } = {}): Promise<TypeScriptBuild> {
  const dir = await fixture.tempDir(`kv-${format}-build-`);
  const outDir = join(dir, 'out');
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: format === 'esm' ? 'module' : 'commonjs' }));
  const compilerOptions = {
    ...FORMAT_OPTIONS[format],
    noEmit: false,
    rootDir: REPO,
    outDir,
    allowImportingTsExtensions: false,
    declaration: declarations,
    sourceMap: false,
    types: ['node'],
    paths: {},
  };
  const tsconfig = { extends: join(REPO, 'tsconfig.json'), compilerOptions, files, include: [] };
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  const result = await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', dir], REPO, { limitMs: 120_000 });
  if (result.code !== 0 && result.code !== OUTPUT_WRITTEN_WITH_ERRORS) throw new Error(`tsc -p ${dir} wrote nothing (exit code ${result.code}):\n${result.output}`);
  return { outputOf: (file) => join(outDir, relative(REPO, file).replace(/\.ts$/, '.js')) };
}
