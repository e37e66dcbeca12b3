import { spawn } from 'node:child_process';
import { once } from 'node:events';

export interface CommandResult {
  code: number | null;
  output: string;
}

export interface RunOptions {
  /** Added to this process's environment. */
  env?: Record<string, string>;
  limitMs?: number;
}

/** Runs a command to its end, or kills it after `limitMs`; the output is stdout and stderr together. */
export async function run(command: string, args: string[], cwd: string, options: RunOptions = {}): Promise<CommandResult> {
  const { env = {}, limitMs = 300_000 } = options;
  const child = spawn(command, args, { cwd, env: { ...process.env, npm_config_loglevel: 'error', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(limit);
  return { code, output };
}

/** Runs a command that must succeed, and returns its output. */
export async function succeed(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) throw new Error(`\`${command} ${args.join(' ')}\` in ${cwd} exited with ${result.code}:\n${result.output}`);
  return result.output;
}
