import { MAX_THROTTLE_LIMIT } from 'nestjs-dynamodb-kv/throttler';
import { resolve } from 'node:path';

/** Where the sample keeps its data. */
export type StorageTarget =
  /** dynalite in a worker thread, persisted under `dataDir`: the default, nothing to install. */
  | { kind: 'embedded'; dataDir: string }
  /** Any DynamoDB-protocol endpoint, e.g. Amazon DynamoDB Local. */
  | { kind: 'endpoint'; endpoint: string }
  /** Real DynamoDB in a region, with the AWS default credential chain. */
  | { kind: 'aws'; region: string };

export interface SampleConfig {
  host: string;
  port: number;
  table: string;
  storage: StorageTarget;
  logLevel: string;
  /** The store's automatic batching of concurrent calls (KV_BATCHING=off turns it off, to compare). */
  batching: boolean;
  /** Largest request body accepted; JSON escaping can make a 400 KB value several times larger. */
  bodyLimitBytes: number;
  /** Bearer token `/kv` requires (KV_API_TOKEN); open when unset. */
  apiToken?: string;
  /** Bearer token `/metrics` requires (KV_METRICS_TOKEN); open when unset. */
  metricsToken?: string;
  /** How long slow clients and shutdown may take. */
  timeouts: HttpTimeouts;
  /** The cached `/reports` route. */
  reports: ReportSettings;
  /** Requests per client on `/kv` (KV_RATE_LIMIT, `100/60`: 100 a minute; `off`): shared by every instance. */
  rateLimit?: RateLimit;
}

export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

export interface ReportSettings {
  /** How long making one report takes (KV_REPORT_DELAY_MS, default 1000): a stand-in for a slow query. */
  delayMs: number;
  /** How long a made report is served from the cache (KV_CACHE_TTL_MS, default 60000). */
  cacheTtlMs: number;
}

export interface HttpTimeouts {
  /** All of a request's headers must arrive within this (KV_HEADERS_TIMEOUT_MS, default 10000). */
  headersMs: number;
  /** All of a request, body included, must arrive within this (KV_REQUEST_TIMEOUT_MS, default 30000). */
  requestMs: number;
  /** An idle keep-alive connection is closed after this (KV_KEEP_ALIVE_TIMEOUT_MS, default 5000). */
  keepAliveMs: number;
  /** SIGTERM or SIGINT ends the process within this, whatever clients do (KV_SHUTDOWN_TIMEOUT_MS, default 10000). */
  shutdownMs: number;
}

/** The config, to inject. */
export const SAMPLE_CONFIG = Symbol('SAMPLE_CONFIG');

export class SampleConfigError extends Error {
  override readonly name = 'SampleConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads the environment. Only DYNAMODB_ENDPOINT or KV_AWS_REGION move the app off the embedded store:
 * AWS_REGION or AWS credentials that a shell has for other work never do.
 */
export function readSampleConfig(env: NodeJS.ProcessEnv): SampleConfig {
  const endpoint = nonEmpty(env.DYNAMODB_ENDPOINT);
  const awsRegion = nonEmpty(env.KV_AWS_REGION);
  if (endpoint && awsRegion) {
    throw new SampleConfigError('Set DYNAMODB_ENDPOINT (a local endpoint) or KV_AWS_REGION (real AWS), not both.');
  }
  const storage: StorageTarget = endpoint
    ? { kind: 'endpoint', endpoint }
    : awsRegion
      ? { kind: 'aws', region: awsRegion }
      : { kind: 'embedded', dataDir: resolve(nonEmpty(env.KV_DATA_DIR) ?? '.data') };
  const logLevel = nonEmpty(env.LOG_LEVEL) ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new SampleConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got '${logLevel}').`);
  }
  const batching = nonEmpty(env.KV_BATCHING) ?? 'on';
  const timeouts: HttpTimeouts = {
    headersMs: milliseconds(env, 'KV_HEADERS_TIMEOUT_MS', 10_000),
    requestMs: milliseconds(env, 'KV_REQUEST_TIMEOUT_MS', 30_000),
    keepAliveMs: milliseconds(env, 'KV_KEEP_ALIVE_TIMEOUT_MS', 5_000),
    shutdownMs: milliseconds(env, 'KV_SHUTDOWN_TIMEOUT_MS', 10_000),
  };
  if (batching !== 'on' && batching !== 'off') {
    throw new SampleConfigError(`KV_BATCHING must be on or off (got '${batching}').`);
  }
  return {
    host: nonEmpty(env.HOST) ?? '127.0.0.1',
    port: port(env.PORT),
    table: nonEmpty(env.KV_TABLE) ?? 'kv-store',
    storage,
    logLevel,
    batching: batching === 'on',
    bodyLimitBytes: 4 * 1024 * 1024,
    apiToken: token(env, 'KV_API_TOKEN'),
    metricsToken: token(env, 'KV_METRICS_TOKEN'),
    timeouts,
    reports: {
      delayMs: milliseconds(env, 'KV_REPORT_DELAY_MS', 1_000),
      cacheTtlMs: milliseconds(env, 'KV_CACHE_TTL_MS', 60_000),
    },
    rateLimit: rateLimit(env.KV_RATE_LIMIT),
  };
}

/** `<requests>/<seconds>` (e.g. `100/60`), or `off`. */
function rateLimit(input: string | undefined): RateLimit | undefined {
  const text = nonEmpty(input) ?? '100/60';
  if (text === 'off') return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const limit = Number(match?.[1]);
  const windowSeconds = Number(match?.[2]);
  if (match === null || limit < 1 || limit > MAX_THROTTLE_LIMIT || windowSeconds < 1 || windowSeconds > 86_400) {
    throw new SampleConfigError(
      `KV_RATE_LIMIT must be <requests>/<seconds> (1 to ${MAX_THROTTLE_LIMIT} requests, 1 to 86400 seconds) or off (got '${text}').`,
    );
  }
  return { limit, windowSeconds };
}

/** A token guessable in a few tries protects nothing: 16 characters at least. */
function token(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = nonEmpty(env[name]);
  if (value !== undefined && value.length < 16) throw new SampleConfigError(`${name} must be at least 16 characters long.`);
  return value;
}

function milliseconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const input = nonEmpty(env[name]);
  if (input === undefined) return fallback;
  const value = Number(input);
  if (!Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) {
    throw new SampleConfigError(`${name} must be a whole number of milliseconds, 1 or more (got '${input}').`);
  }
  return value;
}

function port(input: string | undefined): number {
  if (input === undefined || input === '') return 3000;
  const value = Number(input);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new SampleConfigError(`PORT must be a port number from 0 to 65535 (got '${input}').`);
  }
  return value;
}

function nonEmpty(input: string | undefined): string | undefined {
  return input === undefined || input.trim() === '' ? undefined : input.trim();
}
