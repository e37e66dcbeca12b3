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
}

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
  };
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
