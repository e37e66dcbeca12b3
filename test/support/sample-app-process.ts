import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The built sample app (npm test builds it before Jest runs). */
export const SAMPLE_APP_MAIN = fileURLToPath(new URL('../../sample-app/dist/main.js', import.meta.url));

export interface SampleAppProcess {
  baseUrl: string;
  /** Every stdout line the app printed so far. */
  stdout: string[];
  stderr: string[];
  /** Lines of stdout that are JSON (the app's pino logs). */
  jsonLines(): Array<Record<string, unknown>>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the sample app as a user would (`node sample-app/dist/main.js`) on a free port, with `env` on
 * top of a clean environment: no AWS_* or DYNAMODB_* from the shell running the tests.
 */
export async function startSampleApp(env: Record<string, string>, cwd?: string): Promise<SampleAppProcess> {
  const child = spawn(process.execPath, [SAMPLE_APP_MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = collectLines(child, 'stdout');
  const stderr = collectLines(child, 'stderr');
  const baseUrl = await listeningUrl(child, stdout, stderr);
  return {
    baseUrl,
    stdout,
    stderr,
    jsonLines: () => stdout.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
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

async function listeningUrl(child: ChildProcess, stdout: string[], stderr: string[]): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const line = stdout.find((candidate) => candidate.includes('"msg":"Listening on '));
    if (line) return (JSON.parse(line) as { msg: string }).msg.replace('Listening on ', '');
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`The sample app did not start.\nstdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`);
}
