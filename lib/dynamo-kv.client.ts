import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DEFAULT_REQUEST_HANDLER_OPTIONS, type DynamoKvModuleOptions } from './dynamo-kv.options.js';
import { InvalidOptionsError } from './kv-store.errors.js';

/** Builds the store's own client: the user's clientConfig, with timeouts that really fail by default. */
export function createDynamoDbClient(options: DynamoKvModuleOptions): DynamoDBClient {
  const { clientConfig = {}, region, endpoint, credentials } = options;
  const config: DynamoDBClientConfig = { ...clientConfig, requestHandler: withDefaultTimeouts(clientConfig.requestHandler) };
  if (region !== undefined) config.region = region;
  if (endpoint !== undefined) config.endpoint = endpoint;
  if (credentials !== undefined) config.credentials = credentials;
  return new DynamoDBClient(config);
}

/** Resolves the region now, so that a missing one fails at bootstrap rather than on the first call. */
export async function resolveRegion(client: DynamoDBClient): Promise<string> {
  try {
    return await client.config.region();
  } catch (error) {
    throw new InvalidOptionsError(
      'region',
      'is not set and the AWS default chain found none: pass region, or set AWS_REGION.',
      error,
    );
  }
}

function withDefaultTimeouts(handler: DynamoDBClientConfig['requestHandler']): DynamoDBClientConfig['requestHandler'] {
  // A handler instance is the user's own choice; only plain option objects get our defaults.
  if (handler !== undefined && 'handle' in handler && typeof handler.handle === 'function') return handler;
  return { ...DEFAULT_REQUEST_HANDLER_OPTIONS, ...handler };
}
