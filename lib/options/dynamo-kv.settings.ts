import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { Registry } from 'prom-client';
import { InvalidOptionsError } from '../contract/kv-store.errors.js';
import { assertValidTtl } from '../input/ttl.validation.js';
import {
  DEFAULT_BATCHING_SETTINGS,
  DEFAULT_BATCH_RETRY_SETTINGS,
  DEFAULT_HEALTH_CHECK_SETTINGS,
  DEFAULT_REQUEST_HANDLER_OPTIONS,
  DEFAULT_STARTUP_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TTL_ATTRIBUTE_NAME,
  type BatchingSettings,
  type BatchRetrySettings,
  type DynamoKvModuleOptions,
  type HealthCheckSettings,
} from './dynamo-kv.options.js';
import { attributeName, count, keyPrefix, milliseconds, optionalBoolean, optionalEndpoint, optionalRegion } from './option-checks.js';

/** The store's client: one the module builds from this config and owns, or one the application passed in. */
export type ClientSettings =
  | { readonly owned: true; readonly config: DynamoDBClientConfig }
  | { readonly owned: false; readonly client: DynamoDBClient };

export interface MetricsSettings {
  readonly enabled: boolean;
  /** prom-client's default registry when absent. */
  readonly registry?: Registry;
}

export interface TtlSettings {
  /** Whether the `ttl` option was given: then health reports DynamoDB's TTL state, and createTable enables it. */
  readonly configured: boolean;
  readonly attributeName: string;
  readonly defaultSeconds?: number;
}

/** Everything a store needs, validated and with defaults applied; factories read these, never raw options. */
export interface DynamoKvSettings {
  /** The store's name in the module (`forRoot({ name })`). */
  readonly name: string;
  readonly table: string;
  readonly partitionKeyName: string;
  readonly valueAttributeName: string;
  readonly keyPrefix: string;
  readonly consistentRead: boolean;
  readonly ttl: TtlSettings;
  readonly createTable: boolean;
  readonly batchRetry: Readonly<BatchRetrySettings>;
  readonly batching: Readonly<BatchingSettings>;
  /** Every call's time budget, in milliseconds. */
  readonly timeoutMs: number;
  readonly startupTimeoutMs: number;
  readonly client: ClientSettings;
  readonly healthCheck: Readonly<HealthCheckSettings>;
  readonly metrics: MetricsSettings;
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const CLIENT_OWNED_OPTIONS = ['region', 'endpoint', 'credentials', 'clientConfig'] as const;

/**
 * Validates the options of the store called `name` and applies defaults, once, before anything is built.
 * Throws {@link InvalidOptionsError} naming the option.
 */
export function resolveSettings(options: DynamoKvModuleOptions | undefined, name: string): DynamoKvSettings {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionsError('table', `is required: the options of store '${name}' are ${String(options)}; pass an object with a table name.`);
  }
  const partitionKeyName = attributeName(options.partitionKeyName, 'partitionKeyName', 'pk');
  const valueAttributeName = attributeName(options.valueAttributeName, 'valueAttributeName', 'value');
  if (partitionKeyName === valueAttributeName) {
    throw new InvalidOptionsError('valueAttributeName', `must differ from partitionKeyName ('${partitionKeyName}').`);
  }
  const ttl = ttlSettings(options.ttl);
  if (ttl.attributeName === partitionKeyName || ttl.attributeName === valueAttributeName) {
    throw new InvalidOptionsError('ttl.attributeName', `must differ from partitionKeyName and valueAttributeName ('${ttl.attributeName}').`);
  }
  return {
    name,
    table: tableName(options.table),
    partitionKeyName,
    valueAttributeName,
    keyPrefix: keyPrefix(options.keyPrefix),
    consistentRead: optionalBoolean(options.consistentRead, 'consistentRead', false),
    ttl,
    createTable: optionalBoolean(options.createTable, 'createTable', false),
    batchRetry: batchRetrySettings(options.batchRetry),
    batching: {
      enabled: optionalBoolean(options.batching?.enabled, 'batching.enabled', DEFAULT_BATCHING_SETTINGS.enabled),
      maxInFlight: count(options.batching?.maxInFlight, 'batching.maxInFlight', DEFAULT_BATCHING_SETTINGS.maxInFlight),
    },
    timeoutMs: milliseconds(options.timeoutMs, 'timeoutMs', DEFAULT_TIMEOUT_MS, 1),
    startupTimeoutMs: milliseconds(options.startupTimeoutMs, 'startupTimeoutMs', DEFAULT_STARTUP_TIMEOUT_MS, 1),
    client: clientSettings(options),
    healthCheck: {
      cacheTtlMs: milliseconds(options.healthCheck?.cacheTtlMs, 'healthCheck.cacheTtlMs', DEFAULT_HEALTH_CHECK_SETTINGS.cacheTtlMs),
      timeoutMs: milliseconds(options.healthCheck?.timeoutMs, 'healthCheck.timeoutMs', DEFAULT_HEALTH_CHECK_SETTINGS.timeoutMs, 1),
    },
    metrics: {
      enabled: optionalBoolean(options.metrics?.enabled, 'metrics.enabled', true),
      registry: options.metrics?.registry,
    },
  };
}

function ttlSettings(input: DynamoKvModuleOptions['ttl']): TtlSettings {
  if (input === undefined) return { configured: false, attributeName: DEFAULT_TTL_ATTRIBUTE_NAME };
  if (input === null || typeof input !== 'object') throw new InvalidOptionsError('ttl', 'must be an object: { attributeName?, defaultSeconds? }.');
  const { defaultSeconds } = input;
  if (defaultSeconds !== undefined) {
    try {
      assertValidTtl(defaultSeconds, {});
    } catch (error) {
      throw new InvalidOptionsError('ttl.defaultSeconds', (error as Error).message.replace(/^Invalid ttlSeconds: /, 'is invalid: '), error);
    }
  }
  return { configured: true, attributeName: attributeName(input.attributeName, 'ttl.attributeName', DEFAULT_TTL_ATTRIBUTE_NAME), defaultSeconds };
}

function batchRetrySettings(input: DynamoKvModuleOptions['batchRetry']): BatchRetrySettings {
  const defaults = DEFAULT_BATCH_RETRY_SETTINGS;
  const settings = {
    maxAttempts: count(input?.maxAttempts, 'batchRetry.maxAttempts', defaults.maxAttempts),
    baseDelayMs: milliseconds(input?.baseDelayMs, 'batchRetry.baseDelayMs', defaults.baseDelayMs),
    maxDelayMs: milliseconds(input?.maxDelayMs, 'batchRetry.maxDelayMs', defaults.maxDelayMs),
    maxElapsedMs: milliseconds(input?.maxElapsedMs, 'batchRetry.maxElapsedMs', defaults.maxElapsedMs),
  };
  if (settings.maxDelayMs < settings.baseDelayMs) {
    throw new InvalidOptionsError('batchRetry.maxDelayMs', `must be at least batchRetry.baseDelayMs (${settings.baseDelayMs}).`);
  }
  return settings;
}

function tableName(input: unknown): string {
  if (typeof input !== 'string' || !TABLE_NAME.test(input)) {
    throw new InvalidOptionsError(
      'table',
      `must be a DynamoDB table name: 3 to 255 characters of letters, digits, '_', '-' and '.' (got ${JSON.stringify(input)}).`,
    );
  }
  return input;
}

function clientSettings(options: DynamoKvModuleOptions): ClientSettings {
  const region = optionalRegion(options.region);
  const endpoint = optionalEndpoint(options.endpoint);
  if (options.client !== undefined) {
    const conflicting = CLIENT_OWNED_OPTIONS.find((option) => options[option] !== undefined);
    if (conflicting) {
      throw new InvalidOptionsError(conflicting, 'cannot be combined with client: configure the client you pass instead.');
    }
    return { owned: false, client: options.client };
  }
  const { clientConfig = {}, credentials } = options;
  const config: DynamoDBClientConfig = { ...clientConfig, requestHandler: withDefaultTimeouts(clientConfig.requestHandler) };
  if (region !== undefined) config.region = region;
  if (endpoint !== undefined) config.endpoint = endpoint;
  if (credentials !== undefined) config.credentials = credentials;
  return { owned: true, config };
}

function withDefaultTimeouts(handler: DynamoDBClientConfig['requestHandler']): DynamoDBClientConfig['requestHandler'] {
  // A handler instance is the user's own choice; only plain option objects get our defaults.
  if (handler !== undefined && 'handle' in handler && typeof handler.handle === 'function') return handler;
  return { ...DEFAULT_REQUEST_HANDLER_OPTIONS, ...handler };
}
