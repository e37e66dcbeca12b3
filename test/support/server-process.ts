import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The built sample app (npm test builds it before Jest runs). */
export const SAMPLE_APP_MAIN = fileURLToPath(new URL('../../sample-app/dist/main.js', import.meta.url));

export interface ServerProcess {
  baseUrl: string;
  /** Every stdout line the process printed so far. */
  stdout: string[];
  stderr: string[];
  /** Lines of stdout that are JSON (the sample app's pino logs). */
  jsonLines(): Array<Record<string, unknown>>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export type SampleAppProcess = ServerProcess;

export interface ServerProcessOptions {
  /** On top of a clean environment: no AWS_* or DYNAMODB_* from the shell running the tests. */
  env: Record<string, string>;
  cwd?: string;
  /** Finds the URL in a stdout line that announces it. */
  listeningUrl(line: string): string | undefined;
}

/** Starts `node <main>` on a free port and resolves once it says where it listens (within 30 s). */
export async function startServerProcess(main: string, options: ServerProcessOptions): Promise<ServerProcess> {
  const child = spawn(process.execPath, [main], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = collectLines(child, 'stdout');
  const stderr = collectLines(child, 'stderr');
  const baseUrl = await listening(child, stdout, stderr, options.listeningUrl);
  return {
    baseUrl,
    stdout,
    stderr,
    jsonLines: () => stdout.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/**
 * Starts the sample app as a user would (`node sample-app/dist/main.js`) on a free port. Its scheduled
 * key count and its rate limit are off unless `env` turns them on: a tick would add calls and a key to
 * what a test counts, and the limit would refuse a test's load.
 */
export function startSampleApp(env: Record<string, string>, cwd?: string): Promise<SampleAppProcess> {
  return startServerProcess(SAMPLE_APP_MAIN, {
    env: { KV_KEY_COUNT_CRON: 'off', KV_RATE_LIMIT: 'off', ...env },
    cwd,
    listeningUrl: (line) => (line.includes('"msg":"Listening on ') ? (JSON.parse(line) as { msg: string }).msg.replace('Listening on ', '') : undefined),
  });
}

/**
 * Runs the app until it exits by itself (a failed start), with the exit code and output; an app still
 * running after `limitMs` is killed, and `code` is then null.
 */
export async function runSampleAppToExit(env: Record<string, string>, limitMs = 20_000): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [SAMPLE_APP_MAIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(limit);
  return { code, output: output.join('') };
}

function collectLines(child: ChildProcess, stream: 'stdout' | 'stderr'): string[] {
  const lines: string[] = [];
  let partial = '';
  child[stream]!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line.length > 0));
  });
  return lines;
}

async function listening(
  child: ChildProcess,
  stdout: string[],
  stderr: string[],
  listeningUrl: (line: string) => string | undefined,
): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const url = stdout.map(listeningUrl).find((candidate) => candidate !== undefined);
    if (url) return url;
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`The process did not start listening.\nstdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`);
}
