import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** A request as a server received it. */
export interface ReceivedRequest {
  method: string;
  /** The request target: path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type SignatureCheck = { valid: true; accessKeyId: string; amzDate: string } | { valid: false; why: string };

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** The headers a DynamoDB request must sign for its signature to cover what it asks for. */
const MUST_SIGN = ['host', 'x-amz-date', 'x-amz-target', 'content-type'];

/**
 * Checks a request's AWS Signature Version 4 as DynamoDB does, written from the specification with
 * node:crypto only (not with the SDK's signer, which would check the signer against itself): the
 * signature must match the method, path, query, signed headers and body as they arrived.
 */
export function checkSigV4(request: ReceivedRequest, secretOf: (accessKeyId: string) => string | undefined): SignatureCheck {
  const match = AUTHORIZATION.exec(String(request.headers.authorization ?? ''));
  if (match === null) return { valid: false, why: 'no SigV4 Authorization header' };
  const [, accessKeyId, day, region, service, signedHeaderList, signature] = match as unknown as string[];
  const secret = secretOf(accessKeyId!);
  if (secret === undefined) return { valid: false, why: `unknown access key ${accessKeyId}` };
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(day!)) return { valid: false, why: 'x-amz-date is not the credential scope day' };
  const signedHeaders = signedHeaderList!.split(';');
  const unsigned = MUST_SIGN.find((name) => !signedHeaders.includes(name));
  if (unsigned !== undefined) return { valid: false, why: `${unsigned} is not signed` };
  const [path, query = ''] = request.url.split('?');
  const canonicalRequest = [
    request.method,
    path,
    canonicalQuery(query),
    ...signedHeaders.map((name) => `${name}:${headerValue(request.headers[name])}`),
    '',
    signedHeaderList,
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(Buffer.from(canonicalRequest, 'utf8'))].join('\n');
  const key = [day!, region!, service!, 'aws4_request'].reduce<Buffer>((previous, part) => hmac(previous, part), Buffer.from(`AWS4${secret}`, 'utf8'));
  const expected = hmac(key, stringToSign).toString('hex');
  return expected === signature ? { valid: true, accessKeyId: accessKeyId!, amzDate } : { valid: false, why: 'the signature does not match the request' };
}

function headerValue(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return text.trim().replace(/\s+/g, ' ');
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .map((pair) => pair.split('=').map((part) => encodeURIComponent(decodeURIComponent(part))))
    .sort(([a = '', b = ''], [c = '', d = '']) => (a === c ? b.localeCompare(d) : a.localeCompare(c)))
    .map(([name = '', value = '']) => `${name}=${value}`)
    .join('&');
}

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
