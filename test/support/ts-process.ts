import { fileURLToPath } from 'node:url';

const REGISTER = new URL('./ts-loader/register.mjs', import.meta.url).href;

/**
 * The environment for a child `node` process that runs a `.ts` file of this repository straight from
 * source (the library included), through the hooks in ts-loader/: add it to a server process's `env`.
 */
export function typeScriptProcessEnv(): Record<string, string> {
  return { NODE_OPTIONS: `--import ${REGISTER}` };
}

/** The path of a file next to `base` (an `import.meta.url`), for `startServerProcess`. */
export function pathFrom(base: string, relative: string): string {
  return fileURLToPath(new URL(relative, base));
}
