/**
 * The handler's result as stored: its JSON text, and whether it was an object, which Nest sends as JSON
 * (`res.json()`, Fastify's serializer), or a primitive, which it sends as it is (a string as text). The
 * text is kept rather than the parsed value, so that a result JSON turns into another kind of value (a
 * `Date`, or anything with a `toJSON()`) still replays as the same bytes.
 */
export interface StoredBody {
  json: string;
  object: boolean;
}

/** A response to replay. */
export type StoredResponse =
  /** The handler returned: the status, the chosen headers it set, and its result (absent for `undefined`). */
  | { kind: 'result'; status: number; headers: Record<string, string>; body?: StoredBody }
  /** The handler threw an `HttpException` that is not a 4xx: its status and its response (`getResponse()`). */
  | { kind: 'exception'; status: number; response: string | Record<string, unknown> };

/**
 * Why a request that ran has no response to replay: `failed`, its handler threw something other than an
 * `HttpException`, whose answer the app's exception filters made; `not_stored`, its response cannot be
 * stored (a stream, binary, a response the route sent itself with `@Res()`, or over the item limit).
 */
export type UnavailableReason = 'failed' | 'not_stored';

/**
 * A key's record, stored as JSON under the key. `in_progress`: a request holds the key and runs; `owner`
 * is that request's own random id, so that only it can complete or release the record (another request
 * with the same fingerprint writes a different record). `completed`: the response to replay.
 * `unavailable`: the request ran, and has no response to replay. `released`: the request failed with a
 * 4xx and the key is free again (kept a second, then gone).
 */
export type IdempotencyRecord =
  | { state: 'in_progress'; fingerprint: string; owner: string }
  | { state: 'completed'; fingerprint: string; response: StoredResponse }
  | { state: 'unavailable'; fingerprint: string; reason: UnavailableReason }
  | { state: 'released' };

/** Bumped when the record's shape changes, so that an old record is never misread (2: error answers, JSON text bodies). */
const VERSION = 2;

export function recordJson(record: IdempotencyRecord): string {
  return JSON.stringify({ v: VERSION, ...record });
}

/** The record a stored value holds; undefined for a value this interceptor did not write. */
export function parseRecord(value: string): IdempotencyRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || parsed.v !== VERSION) return undefined;
  const { fingerprint } = parsed;
  if (parsed.state === 'released') return { state: 'released' };
  if (typeof fingerprint !== 'string') return undefined;
  switch (parsed.state) {
    case 'in_progress':
      return typeof parsed.owner === 'string' ? { state: 'in_progress', fingerprint, owner: parsed.owner } : undefined;
    case 'completed':
      return isStoredResponse(parsed.response) ? { state: 'completed', fingerprint, response: parsed.response } : undefined;
    case 'unavailable':
      return parsed.reason === 'failed' || parsed.reason === 'not_stored' ? { state: 'unavailable', fingerprint, reason: parsed.reason } : undefined;
    default:
      return undefined;
  }
}

function isStoredResponse(value: unknown): value is StoredResponse {
  if (!isObject(value) || !Number.isInteger(value.status)) return false;
  if (value.kind === 'exception') return typeof value.response === 'string' || isObject(value.response);
  return (
    value.kind === 'result' &&
    isObject(value.headers) &&
    Object.values(value.headers).every((header) => typeof header === 'string') &&
    (value.body === undefined || (isObject(value.body) && typeof value.body.json === 'string' && typeof value.body.object === 'boolean'))
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
