import type { UserAgentPair } from '@smithy/types';
import type { LeanClientConfig } from './lean-client-config.js';

/** The `user-agent` and `x-amz-user-agent` headers the SDK would send, computed once (without per-call feature flags). */
export async function userAgentHeaders(config: LeanClientConfig): Promise<Record<string, string>> {
  const sections = (await config.defaultUserAgentProvider()).map(escaped);
  const appId = await config.userAgentAppId?.();
  const userAgent = appId ? [...sections, escaped(['app', appId])] : sections;
  return {
    'x-amz-user-agent': sections.filter((section) => section.startsWith('aws-sdk-')).join(' '),
    'user-agent': userAgent.join(' '),
  };
}

/** A `[name, version]` pair as the SDK's user-agent middleware writes it: `prefix/name#version`. */
function escaped([fullName, version]: UserAgentPair): string {
  const name = fullName
    .split('/')
    .map((part) => part.replace(/[^!$%&'*+\-.^_`|~\w]/g, '-'))
    .join('/');
  const separator = name.indexOf('/');
  const prefix = name.substring(0, separator);
  const rest = name.substring(separator + 1);
  const parts = [prefix, prefix === 'api' ? rest.toLowerCase() : rest, version?.replace(/[^!$%&'*+\-.^_`|~\w#]/g, '-')];
  return parts.filter((part): part is string => part !== undefined && part.length > 0).reduce((text, part, index) => (index === 0 ? part : index === 1 ? `${text}/${part}` : `${text}#${part}`), '');
}
