import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuthScheme, AwsCredentialIdentity, HttpResponse, MetadataBearer, Provider, RequestSigner, UserAgent } from '@smithy/types';

/**
 * What the lean path reads from the SDK client's resolved configuration: the very providers, signer
 * factory and protocol the SDK's middleware uses, so that credentials, region, endpoint, signing, clock
 * skew and error types stay the SDK's own. The SDK resolves these fields for every DynamoDBClient; the
 * type names only what is read.
 */
export interface LeanClientConfig {
  /** The memoized credential provider (refreshes credentials that are about to expire). */
  credentials(): Promise<AwsCredentialIdentity>;
  /** Builds the SDK's SigV4 signer (`@smithy/signature-v4` with the client's sha256) for an endpoint's auth scheme. */
  signer(authScheme?: AuthScheme): Promise<RequestSigner>;
  /** The SDK's clock correction, shared with the SDK path: updated from the server's Date header. */
  systemClockOffset: number;
  disableClockSkewCorrection?: Provider<boolean | undefined>;
  maxAttempts: Provider<number>;
  defaultUserAgentProvider: Provider<UserAgent>;
  userAgentAppId?: Provider<string | undefined>;
  /** The client's JSON protocol: it turns error answers (and answers with binary values) into the SDK's types. */
  protocol: {
    deserializeResponse(operationSchema: unknown, context: object, response: HttpResponse): Promise<MetadataBearer>;
  };
}

export function leanClientConfig(client: DynamoDBClient): LeanClientConfig {
  return client.config as unknown as LeanClientConfig;
}
