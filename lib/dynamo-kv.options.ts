import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { Registry } from 'prom-client';
import { InvalidOptionsError } from './kv-store.errors.js';

type ClientCredentials = NonNullable<DynamoDBClientConfig['credentials']>;

/** Options of `DynamoKvModule.forRoot` / the factory of `forRootAsync`. */
export interface DynamoKvModuleOptions {
  /** Table with a string partition key. Required. */
  table: string;
  /** AWS region; defaults to the SDK's chain (AWS_REGION, shared config). Bootstrap fails when none is found. */
  region?: string;
  /** Endpoint URL, e.g. `http://localhost:8000` for DynamoDB Local. */
  endpoint?: string;
  /** Partition key attribute name. Default `pk`. */
  partitionKeyName?: string;
  /** Attribute that holds the value. Default `value`. */
  valueAttributeName?: string;
  /** Credentials or a provider; defaults to the AWS default provider chain. */
  credentials?: ClientCredentials;
  /** Strongly consistent reads for `get` (twice the read cost). Default false. */
  consistentRead?: boolean;
  /**
   * Passed to `new DynamoDBClient()` (retries, timeouts, ...). A plain-object `requestHandler` is merged
   * over the module's defaults ({@link DEFAULT_REQUEST_HANDLER_OPTIONS}).
   */
  clientConfig?: Omit<DynamoDBClientConfig, 'region' | 'endpoint' | 'credentials'>;
  /** A client the application owns. The module then neither configures nor destroys it. */
  client?: DynamoDBClient;
  /** Health checks (DescribeTable): result cache and timeout. */
  healthCheck?: Partial<HealthCheckSettings>;
  /** The operation-duration histogram: on by default, in prom-client's default registry. */
  metrics?: { enabled?: boolean; registry?: Registry };
}

export interface HealthCheckSettings {
  /** How long a result is reused; DescribeTable is rate-limited. 0 disables the cache. Default 5000. */
  cacheTtlMs: number;
  /** How long DescribeTable may take before the store is reported DOWN. Default 1000. */
  timeoutMs: number;
}

export const DEFAULT_HEALTH_CHECK_SETTINGS: HealthCheckSettings = { cacheTtlMs: 5_000, timeoutMs: 1_000 };

/**
 * The SDK waits forever by default and only warns on a request timeout; a store must fail instead.
 * Per attempt; the SDK's standard retry makes up to 3 attempts.
 */
export const DEFAULT_REQUEST_HANDLER_OPTIONS = {
  connectionTimeout: 3_000,
  requestTimeout: 5_000,
  throwOnRequestTimeout: true,
} as const;

/** Options after validation, with defaults applied. */
export interface DynamoKvSettings {
  table: string;
  partitionKeyName: string;
  valueAttributeName: string;
  consistentRead: boolean;
  healthCheck: HealthCheckSettings;
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const CLIENT_OWNED_OPTIONS = ['region', 'endpoint', 'credentials', 'clientConfig'] as const;

/** Validates options and applies defaults; throws {@link InvalidOptionsError} naming the option. */
export function resolveSettings(options: DynamoKvModuleOptions | undefined): DynamoKvSettings {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionsError('table', 'is required: pass an options object with a table name.');
  }
  const { table } = options;
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
    throw new InvalidOptionsError(
      'table',
      `must be a DynamoDB table name: 3 to 255 characters of letters, digits, '_', '-' and '.' (got ${JSON.stringify(table)}).`,
    );
  }
  const partitionKeyName = attributeName(options.partitionKeyName, 'partitionKeyName', 'pk');
  const valueAttributeName = attributeName(options.valueAttributeName, 'valueAttributeName', 'value');
  if (partitionKeyName === valueAttributeName) {
    throw new InvalidOptionsError('valueAttributeName', `must differ from partitionKeyName ('${partitionKeyName}').`);
  }
  if (options.consistentRead !== undefined && typeof options.consistentRead !== 'boolean') {
    throw new InvalidOptionsError('consistentRead', 'must be a boolean.');
  }
  if (options.region !== undefined && (typeof options.region !== 'string' || options.region.length === 0)) {
    throw new InvalidOptionsError('region', 'must be a non-empty string such as "us-east-1".');
  }
  if (options.endpoint !== undefined && !isHttpUrl(options.endpoint)) {
    throw new InvalidOptionsError('endpoint', `must be an http(s) URL (got ${JSON.stringify(options.endpoint)}).`);
  }
  if (options.client !== undefined) {
    const conflicting = CLIENT_OWNED_OPTIONS.find((name) => options[name] !== undefined);
    if (conflicting) {
      throw new InvalidOptionsError(conflicting, 'cannot be combined with client: configure the client you pass instead.');
    }
  }
  const healthCheck = {
    cacheTtlMs: milliseconds(options.healthCheck?.cacheTtlMs, 'healthCheck.cacheTtlMs', DEFAULT_HEALTH_CHECK_SETTINGS.cacheTtlMs),
    timeoutMs: milliseconds(options.healthCheck?.timeoutMs, 'healthCheck.timeoutMs', DEFAULT_HEALTH_CHECK_SETTINGS.timeoutMs),
  };
  if (healthCheck.timeoutMs === 0) throw new InvalidOptionsError('healthCheck.timeoutMs', 'must be above 0.');
  if (options.metrics?.enabled !== undefined && typeof options.metrics.enabled !== 'boolean') {
    throw new InvalidOptionsError('metrics.enabled', 'must be a boolean.');
  }
  return { table, partitionKeyName, valueAttributeName, consistentRead: options.consistentRead ?? false, healthCheck };
}

function milliseconds(input: unknown, option: string, fallback: number): number {
  if (input === undefined) return fallback;
  if (typeof input !== 'number' || !Number.isInteger(input) || input < 0 || input > 2 ** 31 - 1) {
    throw new InvalidOptionsError(option, 'must be a whole number of milliseconds, 0 or more.');
  }
  return input;
}

function attributeName(input: unknown, option: string, fallback: string): string {
  if (input === undefined) return fallback;
  // Key attribute names are limited to 255 bytes; the same bound keeps the value attribute sane.
  if (typeof input !== 'string' || input.length === 0 || Buffer.byteLength(input, 'utf8') > 255) {
    throw new InvalidOptionsError(option, 'must be a non-empty string of at most 255 UTF-8 bytes.');
  }
  return input;
}

function isHttpUrl(input: unknown): boolean {
  if (typeof input !== 'string') return false;
  try {
    const { protocol } = new URL(input);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
