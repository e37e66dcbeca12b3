import { createHash, type Hash } from 'node:crypto';

/** What identifies a request, for telling a retry (the same) from another request that reuses its key. */
export interface FingerprintedRequest {
  method: string;
  /** Path and query, as the client sent them. */
  url: string;
  /**
   * The `Content-Type` header, normalized (lower case, no spaces; empty when absent): a JSON body and a
   * form body can parse to the same object, and are still different requests.
   */
  contentType?: string;
  /** The raw body when the app keeps it (`rawBody: true`), else the parsed one. */
  body: unknown;
}

/**
 * A SHA-256 (base64url) of the method, the URL, the content type and the body. A parsed body counts by its
 * JSON with object keys sorted, so a client that writes the same body's members in another order still
 * retries; raw bytes count as they are. The JSON is written without recursion: a deeply nested body cannot
 * overflow the stack.
 */
export function requestFingerprint(request: FingerprintedRequest): string {
  const hash = createHash('sha256');
  hash.update(`${request.method.toUpperCase()} ${request.url}\n${JSON.stringify(request.contentType ?? '')}\n`);
  const { body } = request;
  if (body instanceof Uint8Array) hash.update('bytes:').update(body);
  else if (body !== undefined) writeCanonicalJson(hash, body);
  return hash.digest('base64url');
}

type Work = { text: string } | { value: unknown };

function writeCanonicalJson(hash: Hash, root: unknown): void {
  const stack: Work[] = [{ value: root }];
  for (let work = stack.pop(); work !== undefined; work = stack.pop()) {
    if ('text' in work) {
      hash.update(work.text);
      continue;
    }
    const parts = partsOf(work.value);
    if (typeof parts === 'string') hash.update(parts);
    else for (let index = parts.length - 1; index >= 0; index -= 1) stack.push(parts[index]!);
  }
}

/** A value's JSON text, or the pieces a container is written as, in order. */
function partsOf(value: unknown): string | Work[] {
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (Array.isArray(value)) return enclosed('[', value.map((item) => [{ value: item }]), ']');
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((name) => record[name] !== undefined)
      .sort()
      .map((name) => [{ text: `${JSON.stringify(name)}:` }, { value: record[name] }]);
    return enclosed('{', members, '}');
  }
  // What a parsed body holds at the leaves; anything else JSON would drop or refuse counts as null.
  return (typeof value === 'bigint' ? undefined : JSON.stringify(value)) ?? 'null';
}

function enclosed(open: string, items: Work[][], close: string): Work[] {
  const parts: Work[] = [{ text: open }];
  items.forEach((item, index) => {
    if (index > 0) parts.push({ text: ',' });
    parts.push(...item);
  });
  parts.push({ text: close });
  return parts;
}
