// @ts-check
/** The servers the benchmark runs against, each in a process of its own so that its CPU is not the client's. */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {{ name: string, endpoint: string, pid: number, stop(): void }} BenchServer
 */

/**
 * Starts `command args` and resolves once a line of its stdout matches `ready` (group 1: the endpoint).
 * @param {string} name @param {string} command @param {string[]} args @param {RegExp} ready
 * @returns {Promise<BenchServer>}
 */
function startProcess(name, command, args, ready) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, DYNAMODB_ENDPOINT: '' } });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within 120 s:\n${output}`));
    }, 120_000);
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
      const match = ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({ name, endpoint: match[1] ?? '', pid: child.pid ?? 0, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready:\n${output}`));
    });
  });
}

/** @param {string} script */
const benchScript = (script) => fileURLToPath(new URL(script, import.meta.url));
const listening = /listening (\d+)/;

/** @returns {Promise<BenchServer>} */
export async function startInstantServer() {
  const server = await startProcess('instant server', process.execPath, [benchScript('./instant-server.mjs')], listening);
  return { ...server, endpoint: `http://127.0.0.1:${server.endpoint}` };
}

/** @returns {Promise<BenchServer>} */
export async function startDynalite() {
  const server = await startProcess('dynalite', process.execPath, [benchScript('./dynalite-server.mjs')], listening);
  return { ...server, endpoint: `http://127.0.0.1:${server.endpoint}` };
}

/**
 * Amazon DynamoDB Local through the repository's runner (Java 17 and Maven); undefined without them.
 * @returns {Promise<BenchServer | undefined>}
 */
export async function startDynamoDbLocal() {
  if (spawnSync('java', ['-version']).error || spawnSync('mvn', ['--version']).error) return undefined;
  const runner = fileURLToPath(new URL('../test/dynamodb-local/dynamodb-local.mjs', import.meta.url));
  return startProcess('DynamoDB Local', process.execPath, [runner], /DYNAMODB_ENDPOINT=(\S+)/);
}

/**
 * The CPU time a process has used so far, in microseconds (Linux /proc; undefined elsewhere).
 * @param {number} pid
 */
export async function processCpuMicros(pid) {
  const { readFile } = await import('node:fs/promises');
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
    // utime and stime, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}
