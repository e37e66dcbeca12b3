import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvalidOptionsError } from '../contract/kv-store.errors.js';

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
