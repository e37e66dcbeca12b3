import type { DynamoKvSettings } from '../options/dynamo-kv.settings.js';

/**
 * The endpoint a store sends to: the URL the module built its client for (`undefined` for AWS's own, from
 * the region), or unknown for a client the application passed in, which the module cannot look into.
 */
export type StoreEndpoint = { readonly known: true; readonly url: string | undefined } | { readonly known: false };

/** Where a store's keys live: its table, as far as the module can tell, and the prefix before every key. */
export interface StoreKeyspace {
  readonly store: string;
  readonly table: string;
  /** As the store's client resolved it at bootstrap, so a region left to the AWS default chain is known too. */
  readonly region: string;
  readonly endpoint: StoreEndpoint;
  readonly keyPrefix: string;
}

export function keyspaceOf(settings: DynamoKvSettings, region: string): StoreKeyspace {
  return { store: settings.name, table: settings.table, region, endpoint: endpointOf(settings), keyPrefix: settings.keyPrefix };
}

/**
 * Whether two stores may be on one table: same table name and region, and the same endpoint unless one
 * of them is unknown. Unknown counts as the same, so that overlapping prefixes are refused rather than
 * missed; two stores the module cannot tell apart are told to use prefixes that do not overlap.
 */
export function mayShareTable(a: StoreKeyspace, b: StoreKeyspace): boolean {
  if (a.table !== b.table || a.region !== b.region) return false;
  return !a.endpoint.known || !b.endpoint.known || a.endpoint.url === b.endpoint.url;
}

/**
 * Whether some stored key belongs to both stores: one prefix starts with the other (the empty one with
 * every prefix), so a key of the shorter is also a key of the longer (`s:` + `admin:x` is `s:admin:` + `x`).
 */
export function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

function endpointOf(settings: DynamoKvSettings): StoreEndpoint {
  if (!settings.client.owned) return { known: false };
  const { endpoint } = settings.client.config;
  if (endpoint === undefined) return { known: true, url: undefined };
  // Validated as an http(s) URL when given as an option; the URL's own form makes 'http://h:1' equal 'http://h:1/'.
  return typeof endpoint === 'string' ? { known: true, url: new URL(endpoint).href } : { known: false };
}
