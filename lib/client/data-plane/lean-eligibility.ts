import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/**
 * Client settings the lean path honours exactly: it reads their resolved values from the SDK client
 * (credentials, region, endpoint through the SDK's endpoint provider, FIPS and dual-stack included,
 * the SDK's retry strategy with its `maxAttempts` and mode, the clock offset) or shares the SDK's
 * request handler (built from `requestHandler` options).
 */
const HONOURED: ReadonlySet<string> = new Set([
  'region',
  'endpoint',
  'credentials',
  'requestHandler',
  'maxAttempts',
  'retryMode',
  'cacheMiddleware',
  'useFipsEndpoint',
  'useDualstackEndpoint',
  'accountIdEndpointMode',
  'profile',
  'defaultsMode',
  'systemClockOffset',
  'disableClockSkewCorrection',
]);

/**
 * Why the lean path cannot send for a client built from `config`, or undefined when it can. Anything it
 * would not honour as the SDK does (a handler, signer, logger, retry strategy or middleware of the
 * user's, an endpoint given as a function, ...) keeps every request on the SDK.
 */
export function leanPathBlocker(config: DynamoDBClientConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const foreign = Object.entries(config).find(([name, value]) => value !== undefined && !HONOURED.has(name));
  if (foreign !== undefined) return `clientConfig.${foreign[0]} is set`;
  if (config.endpoint !== undefined && typeof config.endpoint !== 'string') return 'the endpoint is not a URL';
  const handler: unknown = config.requestHandler;
  if (typeof (handler as { handle?: unknown } | undefined)?.handle === 'function') return 'clientConfig.requestHandler is a handler instance';
  // In Lambda the SDK adds the X-Ray trace header of the invocation to every request.
  if (env.AWS_LAMBDA_FUNCTION_NAME) return 'the app runs in AWS Lambda';
  return undefined;
}
