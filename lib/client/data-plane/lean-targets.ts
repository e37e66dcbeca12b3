import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import type { AuthScheme, AwsCredentialIdentity, RequestSigner } from '@smithy/types';
import type { LeanClientConfig } from './lean-client-config.js';
import type { LeanInput, LeanOperation } from './lean-operations.js';

/** Where a lean request goes and how it is signed: what the SDK's endpoint and auth middleware would decide. */
export interface LeanTarget {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number | undefined;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** Headers every request to this endpoint carries: the endpoint's own, and `host`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly signer: RequestSigner;
  readonly signingRegion: string | undefined;
  readonly signingService: string | undefined;
}

/** Targets kept at most: the store sends a handful of operations to one table. */
const MAX_TARGETS = 64;

/**
 * The endpoint and signer of each operation, resolved once per operation, table(s) and account (the
 * endpoint rules read the account of the credentials) through the SDK's own endpoint resolution, and
 * cached: the SDK resolves them again on every call.
 */
export class LeanTargets {
  private readonly resolved = new Map<string, Promise<LeanTarget | undefined>>();

  constructor(private readonly config: LeanClientConfig) {}

  /** The target of `operation` on `input`; undefined when only the SDK can send it (an auth scheme other than SigV4). */
  get(operation: LeanOperation, input: LeanInput, identity: AwsCredentialIdentity): Promise<LeanTarget | undefined> {
    const key = `${operation.name}\n${identity.accountId ?? ''}\n${operation.resourcesOf(input)}`;
    const cached = this.resolved.get(key);
    if (cached !== undefined) return cached;
    if (this.resolved.size >= MAX_TARGETS) this.resolved.clear();
    const target = this.resolve(operation, input);
    this.resolved.set(key, target);
    // A failed resolution is not kept: the next call tries again, as every SDK call would.
    target.catch(() => {
      if (this.resolved.get(key) === target) this.resolved.delete(key);
    });
    return target;
  }

  private async resolve(operation: LeanOperation, input: LeanInput): Promise<LeanTarget | undefined> {
    // A copy, as the SDK's endpoint middleware passes: resolving may note an endpoint from the environment on it.
    const endpoint = await getEndpointFromInstructions(input, operation.endpointParameters, { ...this.config } as Parameters<typeof getEndpointFromInstructions>[2]);
    const authSchemes = (endpoint.properties?.authSchemes ?? []) as AuthScheme[];
    const [authScheme] = authSchemes;
    if (authScheme !== undefined && authScheme.name !== 'sigv4') return undefined;
    const signer = await this.config.signer(authScheme);
    const { url } = endpoint;
    const port = url.port ? Number(url.port) : undefined;
    const headers: Record<string, string> = {};
    for (const [name, values] of Object.entries(endpoint.headers ?? {})) headers[name] = values.join(', ');
    headers.host = port === undefined ? url.hostname : `${url.hostname}:${port}`;
    return {
      protocol: url.protocol,
      hostname: url.hostname,
      port,
      path: url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`,
      query: Object.fromEntries(url.searchParams.entries()),
      username: url.username || undefined,
      password: url.password || undefined,
      headers,
      signer,
      signingRegion: authScheme?.signingRegion,
      signingService: authScheme?.signingName,
    };
  }
}
