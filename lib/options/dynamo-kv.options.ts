import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { Registry } from 'prom-client';

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
  /** Strongly consistent reads by default (twice the read cost); each read can say otherwise. Default false. */
  consistentRead?: boolean;
  /**
   * Prepended to every key on the wire (e.g. `'sessions:'`), counted in the 2048-byte key limit, and
   * stripped from what `getMany` returns. Stores share a table without meeting only when neither prefix
   * starts the other (`'s:'` and `'s:admin:'` overlap; so does `''` with any): two stores of one app that
   * overlap on one table fail bootstrap with `InvalidOptionsError`.
   */
  keyPrefix?: string;
  /** Expiry of values: the Number attribute that holds it (epoch seconds), and a TTL for writes without one. */
  ttl?: { attributeName?: string; defaultSeconds?: number };
  /**
   * Development convenience: at bootstrap, create the table (on demand, string partition key) when it is
   * missing, wait until it is ACTIVE, and enable TTL on it when `ttl` is set, all within `startupTimeoutMs`.
   * Default false: the store never creates or alters tables unless asked.
   */
  createTable?: boolean;
  /** How batch calls resend what DynamoDB leaves unprocessed: exponential backoff with full jitter, bounded. */
  batchRetry?: Partial<BatchRetrySettings>;
  /**
   * Automatic batching: concurrent `get` calls leave as BatchGetItem, concurrent unconditional `set` and
   * `delete` calls as BatchWriteItem. On by default; `false` (or `{ enabled: false }`) turns it off, `true`
   * is `{ enabled: true }`.
   */
  batching?: boolean | Partial<BatchingSettings>;
  /**
   * Every call's time budget, across the SDK's attempts: past it the call rejects with
   * `KvUnavailableError` (or `KvOutcomeUnknownError` for a write that may have been applied). It covers the
   * time a call waits in a batching queue as well as its requests. Default 3000.
   */
  timeoutMs?: number;
  /**
   * Calls of this store that may be pending at once (queued for a batch or on the wire); past it a call
   * rejects at once with `KvOverloadedError`, before anything is sent. Keeps the heap bounded when DynamoDB
   * slows down or hangs. Default 10000.
   */
  maxPendingCalls?: number;
  /** How long bootstrap may take to resolve the region and (with `createTable`) prepare the table. Default 30000. */
  startupTimeoutMs?: number;
  /**
   * Passed to `new DynamoDBClient()` (retries, timeouts, ...). A plain-object `requestHandler` is merged
   * over the module's defaults ({@link DEFAULT_REQUEST_HANDLER_OPTIONS}).
   */
  clientConfig?: Omit<DynamoDBClientConfig, 'region' | 'endpoint' | 'credentials'>;
  /** A client the application owns. The module then neither configures nor destroys it. */
  client?: DynamoDBClient;
  /**
   * How a client the store builds sends the store's item, batch and scan requests: `'lean'` (the default)
   * signs and sends them itself, with the SDK's signer, credentials, endpoint, retry strategy, request
   * handler and error types but without the SDK's middleware stack (about half the client CPU of a call);
   * `'sdk'` sends every request through the SDK client. Settings the lean path would not honour exactly (a
   * handler instance, logger, signer or retry strategy of yours in `clientConfig`, ...) keep the SDK path.
   * Table management and health checks always go through the SDK, and so does a `client` of yours.
   */
  dataPlane?: DataPlane;
  /** Health checks (DescribeTable): result cache and timeout. */
  healthCheck?: Partial<HealthCheckSettings>;
  /**
   * A debug line through Nest's Logger for every successful operation (with its key; never its value).
   * Failures are logged either way, one line each. Default false: busy services would drown in them.
   */
  logOperations?: boolean;
  /**
   * At bootstrap, check that the table can serve (DescribeTable): `'warn'` logs one warning naming the
   * store, table, region and endpoint when it cannot (the app starts anyway, and recovers by itself);
   * `'fail'` fails bootstrap with `StartupCheckError`; `'off'` checks nothing. Default `'warn'`.
   */
  startupCheck?: StartupCheck;
  /** The operation-duration histogram: on by default, in prom-client's default registry. */
  metrics?: { enabled?: boolean; registry?: Registry };
}

export type StartupCheck = 'warn' | 'fail' | 'off';

/** How the store's data-plane requests are sent: see {@link DynamoKvModuleOptions.dataPlane}. */
export type DataPlane = 'lean' | 'sdk';

export interface BatchRetrySettings {
  /** Requests per batch, the first included, before giving up with `BatchIncompleteError`. Default 10. */
  maxAttempts: number;
  /** The backoff before the first resend is up to this; it doubles with each resend. Default 50. */
  baseDelayMs: number;
  /** No single backoff is longer. Default 2000. */
  maxDelayMs: number;
  /** No resend starts after this long since the first request. Default 10000. */
  maxElapsedMs: number;
}

export interface BatchingSettings {
  enabled: boolean;
  /** Requests of the read (and of the write) coalescer on the wire at once; more calls queue and batch. Default 4. */
  maxInFlight: number;
}

export const DEFAULT_BATCHING_SETTINGS: BatchingSettings = { enabled: true, maxInFlight: 4 };

export const DEFAULT_BATCH_RETRY_SETTINGS: BatchRetrySettings = { maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 2_000, maxElapsedMs: 10_000 };

/** The expiry attribute's name when `ttl.attributeName` is not given. */
export const DEFAULT_TTL_ATTRIBUTE_NAME = 'expiresAt';

export interface HealthCheckSettings {
  /** How long a result is reused; DescribeTable is rate-limited. 0 disables the cache. Default 5000. */
  cacheTtlMs: number;
  /** How long DescribeTable may take before the store is reported DOWN. Default 1000. */
  timeoutMs: number;
}

/** How long a health check may take, in the store and in the Terminus indicator alike. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 1_000;

export const DEFAULT_HEALTH_CHECK_SETTINGS: HealthCheckSettings = { cacheTtlMs: 5_000, timeoutMs: DEFAULT_HEALTH_TIMEOUT_MS };

/**
 * The SDK waits forever by default and only warns on a request timeout; a store must fail instead.
 * Per attempt, within the call's budget (`timeoutMs`): a second attempt still fits after a first one that
 * timed out.
 */
export const DEFAULT_REQUEST_HANDLER_OPTIONS = {
  connectionTimeout: 1_000,
  requestTimeout: 1_500,
  throwOnRequestTimeout: true,
} as const;

export const DEFAULT_TIMEOUT_MS = 3_000;
export const DEFAULT_MAX_PENDING_CALLS = 10_000;
export const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
