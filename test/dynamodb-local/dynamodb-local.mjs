#!/usr/bin/env node
// @ts-check
/**
 * Amazon DynamoDB Local without Docker: fetches it from Maven Central once (cached outside the repo),
 * starts it in memory on a loopback port, and then either
 *   - keeps it running and prints its endpoint:  npm run dynamodb-local [-- --port 8000]
 *   - or runs a command against it, with DYNAMODB_ENDPOINT set, and stops it afterwards:
 *       node test/dynamodb-local/dynamodb-local.mjs --run npm run test:jest
 * Needs Java 17+ and Maven (mvn) on PATH.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '3.1.0';
const POM = join(dirname(fileURLToPath(import.meta.url)), 'pom.xml');
const CACHE =
  process.env.DYNAMODB_LOCAL_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'nestjs-dynamodb-kv', `dynamodb-local-${VERSION}`);
const LIB = join(CACHE, 'lib');
const SERVER_CLASS = 'software.amazon.dynamodb.services.local.main.ServerRunner';
const NEEDS = 'DynamoDB Local needs Java 17+ and Maven (mvn) on PATH; `docker compose up dynamodb-local` is the alternative.';

/** @param {string} message */
function fail(message) {
  console.error(`dynamodb-local: ${message}`);
  process.exit(1);
}

function assertJava17() {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error) fail(`java was not found. ${NEEDS}`);
  const major = Number(/version "(\d+)/.exec(java.stderr)?.[1] ?? '0');
  if (major < 17) fail(`found Java ${major || 'of unknown version'}. ${NEEDS}`);
}

function installed() {
  return existsSync(LIB) && readdirSync(LIB).some((file) => file.startsWith(`DynamoDBLocal-${VERSION}`));
}

/** Copies DynamoDB Local and its dependencies (the sqlite4java .so among them) into the cache, atomically. */
async function install() {
  if (installed()) return;
  console.error(`dynamodb-local: fetching DynamoDB Local ${VERSION} from Maven Central into ${CACHE}`);
  const staging = `${LIB}.partial-${process.pid}`;
  await mkdir(CACHE, { recursive: true });
  const mvn = spawnSync(
    'mvn',
    ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (mvn.error) fail(`mvn was not found. ${NEEDS}`);
  if (mvn.status !== 0) fail(`mvn failed with exit code ${mvn.status}.`);
  await rm(LIB, { recursive: true, force: true });
  await rename(staging, LIB);
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** @param {string} endpoint */
async function answers(endpoint) {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
    });
    return response.ok;
  } catch {
    return false;
  }
}

/** @param {number} port */
async function start(port) {
  const endpoint = `http://127.0.0.1:${port}`;
  const java = spawn(
    'java',
    [`-Dsqlite4java.library.path=${LIB}`, '-cp', join(LIB, '*'), SERVER_CLASS, '-inMemory', '-sharedDb', '-disableTelemetry', '-port', String(port)],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  java.once('exit', (code) => {
    if (!stopping) fail(`DynamoDB Local exited with code ${code}.`);
  });
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (await answers(endpoint)) return { endpoint, java };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  java.kill('SIGKILL');
  return fail(`DynamoDB Local did not answer on ${endpoint} within 30 s.`);
}

let stopping = false;

const argv = process.argv.slice(2);
const runAt = argv.indexOf('--run');
const command = runAt === -1 ? [] : argv.slice(runAt + 1);
const portArg = argv.indexOf('--port');
const port = Number(portArg === -1 ? process.env.DYNAMODB_LOCAL_PORT ?? 0 : argv[portArg + 1]) || (await freePort());

assertJava17();
await install();
const { endpoint, java } = await start(port);
const stop = () => {
  stopping = true;
  java.kill('SIGTERM');
};

if (command.length === 0) {
  console.log(`DynamoDB Local ${VERSION} (in memory) is listening. Point the app or the tests at it with:`);
  console.log(`  DYNAMODB_ENDPOINT=${endpoint}`);
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.once(signal, stop);
} else {
  console.error(`dynamodb-local: running \`${command.join(' ')}\` against DynamoDB Local ${VERSION} at ${endpoint}`);
  const child = spawn(command[0] ?? '', command.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, DYNAMODB_ENDPOINT: endpoint },
  });
  child.once('exit', (code, signal) => {
    stop();
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}
