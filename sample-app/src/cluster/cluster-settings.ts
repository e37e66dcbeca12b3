import { availableParallelism } from 'node:os';
import { SampleConfigError } from '../sample.config.js';

export interface ClusterSettings {
  /** How many copies of the app serve (KV_WORKERS, default: the cores this process may use). */
  workers: number;
  /** SIGTERM or SIGINT ends the primary and every worker within this (KV_SHUTDOWN_TIMEOUT_MS). */
  shutdownMs: number;
  /** Each worker's own shutdown bound: the cluster's, less time for the primary to finish after them. */
  workerShutdownMs: number;
  /** When the primary kills the workers still running. */
  killAfterMs: number;
}

/** A worker that dies is replaced at once, at most this many times a minute; further replacements wait. */
export const RESTARTS_PER_MINUTE = 5;

/** Reads KV_WORKERS; `shutdownMs` is the app's KV_SHUTDOWN_TIMEOUT_MS, already read. */
export function clusterSettings(env: NodeJS.ProcessEnv, shutdownMs: number): ClusterSettings {
  const input = env.KV_WORKERS?.trim() || undefined;
  const workers = input === undefined ? availableParallelism() : Number(input);
  if (!Number.isInteger(workers) || workers < 1 || workers > 1024) {
    throw new SampleConfigError(`KV_WORKERS must be a whole number from 1 to 1024 (got '${input}').`);
  }
  // Up to a second (a fifth of a short bound) for the primary: kill what is left, stop the embedded store, exit.
  const headroom = Math.min(1_000, Math.floor(shutdownMs / 5));
  return { workers, shutdownMs, workerShutdownMs: Math.max(1, shutdownMs - headroom), killAfterMs: shutdownMs - Math.floor(headroom / 2) };
}
