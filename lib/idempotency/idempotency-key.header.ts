/** The request header that carries the key (Node.js gives header names in lower case). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** The longest key accepted, in characters: what Stripe and most APIs allow, room enough for any UUID or hash. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** What a request's `Idempotency-Key` header holds. */
export type KeyReading = { kind: 'key'; key: string } | { kind: 'missing' } | { kind: 'invalid'; reason: string };

/** The draft's form: a Structured Field String (RFC 8941, 3.3.3): printable ASCII in quotes, `\"` and `\\` escaped. */
const SF_STRING = /^"((?:[\x20\x21\x23-\x5B\x5D-\x7E]|\\["\\])*)"$/;

/**
 * The unquoted form many clients send (Stripe's): visible ASCII without quotes, backslashes, commas or
 * semicolons. Commas are out so that two headers, which Node.js joins with ", ", are refused, as the
 * draft allows only one.
 */
const BARE_KEY = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/;

/**
 * Reads the key per draft-ietf-httpapi-idempotency-key-header: one header whose value is a String, quoted
 * (`"8e03978e-40d5-43e8-bc93-6894a57f9324"`) or not. The reasons never repeat the value.
 */
export function readIdempotencyKey(header: unknown): KeyReading {
  if (header === undefined) return { kind: 'missing' };
  if (typeof header !== 'string') return { kind: 'invalid', reason: 'send it once, as one value.' };
  const quoted = SF_STRING.exec(header);
  const key = quoted ? quoted[1]!.replace(/\\(["\\])/g, '$1') : BARE_KEY.test(header) ? header : undefined;
  if (key === undefined) {
    return {
      kind: 'invalid',
      reason: 'send it once, as a quoted string of printable ASCII characters ("..."), or unquoted without spaces, quotes, backslashes, commas or semicolons.',
    };
  }
  if (key.length === 0) return { kind: 'invalid', reason: 'it is empty.' };
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return { kind: 'invalid', reason: `it has ${key.length} characters; at most ${MAX_IDEMPOTENCY_KEY_LENGTH} are allowed.` };
  }
  return { kind: 'key', key };
}
