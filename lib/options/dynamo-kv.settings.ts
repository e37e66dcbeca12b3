import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { Registry } from 'prom-client';
import { InvalidOptionsError } from '../contract/kv-store.errors.js';
import { COUNTER_ATTRIBUTE, WRITE_TOKEN_ATTRIBUTE } from '../input/kv-input.validation.js';

/** Attribute names the store writes itself, which the options may not name. */
const RESERVED_ATTRIBUTES: ReadonlySet<string> = new Set([WRITE_TOKEN_ATTRIBUTE, COUNTER_ATTRIBUTE]);
import { assertValidTtl } from '../input/ttl.validation.js';
import {
  DEFAULT_BATCHING_SETTINGS,
  DEFAULT_BATCH_RETRY_SETTINGS,
  DEFAULT_HEALTH_CHECK_SETTINGS,
  DEFAULT_MAX_PENDING_CALLS,
  DEFAULT_REQUEST_HANDLER_OPTIONS,
  DEFAULT_STARTUP_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TTL_ATTRIBUTE_NAME,
  type BatchingSettings,
  type BatchRetrySettings,
  type DataPlane,
  type DynamoKvModuleOptions,
  type HealthCheckSettings,
  type StartupCheck,
} from './dynamo-kv.options.js';
import {
  attributeName,
  count,
  keyPrefix,
  kindOf,
  milliseconds,
  optionalBoolean,
  optionalEndpoint,
  optionalObject,
  optionalRegion,
} from './option-checks.js';

/** The store's client: one the module builds from this config and owns, or one the application passed in. */
export type ClientSettings =
  | { readonly owned: true; readonly config: DynamoDBClientConfig; readonly dataPlane: DataPlane }
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
  /** Calls pending at once before new ones are refused with KvOverloadedError. */
  readonly maxPendingCalls: number;
  readonly startupTimeoutMs: number;
  readonly client: ClientSettings;
  readonly healthCheck: Readonly<HealthCheckSettings>;
  readonly metrics: MetricsSettings;
  readonly logOperations: boolean;
  readonly startupCheck: StartupCheck;
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
  const reservedClash = (
    [
      ['partitionKeyName', partitionKeyName],
      ['valueAttributeName', valueAttributeName],
      ['ttl.attributeName', ttl.attributeName],
    ] as const
  ).find(([, attribute]) => RESERVED_ATTRIBUTES.has(attribute));
  if (reservedClash !== undefined) {
    throw new InvalidOptionsError(
      reservedClash[0],
      `cannot be '${reservedClash[1]}': the store keeps conditional writes' tokens in '${WRITE_TOKEN_ATTRIBUTE}' and counters in '${COUNTER_ATTRIBUTE}'.`,
    );
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
    batching: batchingSettings(options.batching),
    timeoutMs: milliseconds(options.timeoutMs, 'timeoutMs', DEFAULT_TIMEOUT_MS, 1),
    maxPendingCalls: count(options.maxPendingCalls, 'maxPendingCalls', DEFAULT_MAX_PENDING_CALLS),
    startupTimeoutMs: milliseconds(options.startupTimeoutMs, 'startupTimeoutMs', DEFAULT_STARTUP_TIMEOUT_MS, 1),
    client: clientSettings(options),
    healthCheck: healthCheckSettings(options.healthCheck),
    metrics: metricsSettings(options.metrics),
    logOperations: optionalBoolean(options.logOperations, 'logOperations', false),
    startupCheck: startupCheck(options.startupCheck),
  };
}

function batchingSettings(input: DynamoKvModuleOptions['batching']): BatchingSettings {
  // `batching: false` is the shorthand people write; read as an object it would leave batching on.
  if (typeof input === 'boolean') return { ...DEFAULT_BATCHING_SETTINGS, enabled: input };
  const given = optionalObject(input, 'batching', 'true, false or an object: { enabled?, maxInFlight? }');
  return {
    enabled: optionalBoolean(given?.enabled, 'batching.enabled', DEFAULT_BATCHING_SETTINGS.enabled),
    maxInFlight: count(given?.maxInFlight, 'batching.maxInFlight', DEFAULT_BATCHING_SETTINGS.maxInFlight),
  };
}

function healthCheckSettings(input: DynamoKvModuleOptions['healthCheck']): HealthCheckSettings {
  const given = optionalObject(input, 'healthCheck', 'an object: { cacheTtlMs?, timeoutMs? }');
  return {
    cacheTtlMs: milliseconds(given?.cacheTtlMs, 'healthCheck.cacheTtlMs', DEFAULT_HEALTH_CHECK_SETTINGS.cacheTtlMs),
    timeoutMs: milliseconds(given?.timeoutMs, 'healthCheck.timeoutMs', DEFAULT_HEALTH_CHECK_SETTINGS.timeoutMs, 1),
  };
}

const STARTUP_CHECKS: readonly StartupCheck[] = ['warn', 'fail', 'off'];

function startupCheck(input: unknown): StartupCheck {
  if (input === undefined) return 'warn';
  if (!STARTUP_CHECKS.includes(input as StartupCheck)) {
    throw new InvalidOptionsError('startupCheck', `must be 'warn', 'fail' or 'off' (got ${JSON.stringify(input)}).`);
  }
  return input as StartupCheck;
}

function metricsSettings(input: DynamoKvModuleOptions['metrics']): MetricsSettings {
  const given = optionalObject(input, 'metrics', 'an object: { enabled?, registry? }');
  const registry: unknown = given?.registry;
  // null would silently mean prom-client's default registry; anything else fails at the first metric.
  if (registry !== undefined && typeof (registry as Partial<Registry> | null)?.getSingleMetric !== 'function') {
    throw new InvalidOptionsError('metrics.registry', `must be a prom-client Registry, or left out for the default one (got ${kindOf(registry)}).`);
  }
  return { enabled: optionalBoolean(given?.enabled, 'metrics.enabled', true), registry: given?.registry };
}

function ttlSettings(input: DynamoKvModuleOptions['ttl']): TtlSettings {
  const given = optionalObject(input, 'ttl', 'an object: { attributeName?, defaultSeconds? }');
  if (given === undefined) return { configured: false, attributeName: DEFAULT_TTL_ATTRIBUTE_NAME };
  const { defaultSeconds } = given;
  if (defaultSeconds !== undefined) {
    try {
      assertValidTtl(defaultSeconds, {});
    } catch (error) {
      throw new InvalidOptionsError('ttl.defaultSeconds', (error as Error).message.replace(/^Invalid ttlSeconds: /, 'is invalid: '), error);
    }
  }
  return { configured: true, attributeName: attributeName(given.attributeName, 'ttl.attributeName', DEFAULT_TTL_ATTRIBUTE_NAME), defaultSeconds };
}

function batchRetrySettings(input: DynamoKvModuleOptions['batchRetry']): BatchRetrySettings {
  const defaults = DEFAULT_BATCH_RETRY_SETTINGS;
  const given = optionalObject(input, 'batchRetry', 'an object: { maxAttempts?, baseDelayMs?, maxDelayMs?, maxElapsedMs? }');
  const settings = {
    maxAttempts: count(given?.maxAttempts, 'batchRetry.maxAttempts', defaults.maxAttempts),
    baseDelayMs: milliseconds(given?.baseDelayMs, 'batchRetry.baseDelayMs', defaults.baseDelayMs),
    maxDelayMs: milliseconds(given?.maxDelayMs, 'batchRetry.maxDelayMs', defaults.maxDelayMs),
    maxElapsedMs: milliseconds(given?.maxElapsedMs, 'batchRetry.maxElapsedMs', defaults.maxElapsedMs),
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
    if (options.dataPlane === 'lean') {
      throw new InvalidOptionsError('dataPlane', "cannot be 'lean' with client: requests then go through your client as it is.");
    }
    dataPlane(options.dataPlane);
    return { owned: false, client: appClient(options.client) };
  }
  const clientConfig = optionalObject(options.clientConfig, 'clientConfig', 'an object of DynamoDBClient settings, e.g. { maxAttempts: 5 }') ?? {};
  const credentials = optionalCredentials(options.credentials);
  const config: DynamoDBClientConfig = { ...clientConfig, requestHandler: withDefaultTimeouts(clientConfig.requestHandler) };
  if (region !== undefined) config.region = region;
  if (endpoint !== undefined) config.endpoint = endpoint;
  if (credentials !== undefined) config.credentials = credentials;
  return { owned: true, config, dataPlane: dataPlane(options.dataPlane) };
}

function dataPlane(input: unknown): DataPlane {
  if (input === undefined) return 'lean';
  if (input !== 'lean' && input !== 'sdk') throw new InvalidOptionsError('dataPlane', `must be 'lean' or 'sdk' (got ${JSON.stringify(input)}).`);
  return input;
}

function appClient(input: DynamoDBClient): DynamoDBClient {
  if (typeof (input as Partial<DynamoDBClient> | null)?.send !== 'function') {
    throw new InvalidOptionsError('client', `must be a DynamoDBClient your app built, or left out for the store to build its own (got ${kindOf(input)}).`);
  }
  return input;
}

function optionalCredentials(input: DynamoKvModuleOptions['credentials']): DynamoKvModuleOptions['credentials'] {
  if (input === undefined || typeof input === 'function') return input;
  return optionalObject(input, 'credentials', '{ accessKeyId, secretAccessKey, sessionToken? } or a credential provider function');
}

function withDefaultTimeouts(handler: DynamoDBClientConfig['requestHandler']): DynamoDBClientConfig['requestHandler'] {
  const given = optionalObject(handler, 'clientConfig.requestHandler', 'request handler options such as { requestTimeout: 1000 }, or a handler instance');
  // A handler instance is the user's own choice; only plain option objects get our defaults.
  if (given !== undefined && 'handle' in given && typeof given.handle === 'function') return given;
  return { ...DEFAULT_REQUEST_HANDLER_OPTIONS, ...given };
}
