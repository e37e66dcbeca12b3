import { operation } from '@smithy/core/schema';
import { HttpResponse } from '@smithy/core/protocols';
import type { MetadataBearer, ResponseMetadata } from '@smithy/types';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { mayHoldBinary } from './json-body.js';
import type { LeanClientConfig } from './lean-client-config.js';

/** A command's operation schema, as the SDK's commands carry it (`[9, namespace, name, traits, input, output]`). */
type StaticOperationSchema = readonly [number, string, string, unknown, unknown, unknown];

/** The answer to one attempt: the output as the SDK would return it, or the SDK's error for it. */
export async function readAnswer(response: HttpResponse, command: { schema?: unknown }, config: LeanClientConfig): Promise<MetadataBearer> {
  try {
    // Error answers, with their exception classes and fields, are the SDK protocol's to read: they are rare.
    if (response.statusCode >= 300) return await sdkDeserialized(response, command, config);
    const bytes = await bodyOf(response);
    checkCrc32(response, bytes);
    const text = bytes.toString('utf8');
    if (mayHoldBinary(text)) return await sdkDeserialized(new HttpResponse({ ...response, body: bytes }), command, config);
    const output = parsedJson(text);
    output.$metadata = metadataOf(response);
    return output;
  } catch (error) {
    throw asDeserializationFailure(error, response);
  }
}

function sdkDeserialized(response: HttpResponse, command: { schema?: unknown }, config: LeanClientConfig): Promise<MetadataBearer> {
  const [, namespace, name, traits, input, output] = command.schema as StaticOperationSchema;
  return config.protocol.deserializeResponse(operation(namespace, name, traits as never, input as never, output as never), config, response);
}

/** The body of an answer, whole. A connection lost while reading it rejects with the socket's error. */
function bodyOf(response: HttpResponse): Promise<Buffer> {
  const body: unknown = response.body;
  if (body instanceof Uint8Array) return Promise.resolve(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  const stream = body as Readable;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/**
 * DynamoDB sends the CRC32 of every answer's body in `x-amz-crc32`. A body that does not match was
 * damaged on the way: the attempt fails, retryable (a read is resent; a write is not, its 2xx status says
 * it may have been applied).
 */
function checkCrc32(response: HttpResponse, bytes: Buffer): void {
  const expected = response.headers['x-amz-crc32'];
  if (expected === undefined || crc32(bytes) === Number(expected)) return;
  throw Object.assign(new Error(`The answer's body does not match its x-amz-crc32 checksum (${expected}): it was damaged on the way.`), {
    name: 'CRC32CheckFailed',
    $retryable: {},
  });
}

function parsedJson(text: string): MetadataBearer {
  if (text.length === 0) return {} as MetadataBearer;
  try {
    return JSON.parse(text) as MetadataBearer;
  } catch (error) {
    // As the SDK's JSON parser: the text is kept for the error's $response.
    if (error instanceof SyntaxError) Object.defineProperty(error, '$responseBodyText', { value: text });
    throw error;
  }
}

/** The response metadata the SDK's JSON protocol reads from an answer's headers. */
function metadataOf(response: HttpResponse): ResponseMetadata {
  const { headers } = response;
  return {
    httpStatusCode: response.statusCode,
    requestId: headers['x-amzn-requestid'] ?? headers['x-amzn-request-id'] ?? headers['x-amz-request-id'],
    extendedRequestId: headers['x-amz-id-2'],
    cfId: headers['x-amz-cf-id'],
  };
}

/**
 * An error while reading an answer, as the SDK's deserialization middleware leaves it: the answer as a
 * hidden `$response`, and, for errors that are not the service's (a lost connection, a body that does not
 * parse), the answer's status as `$metadata`: a 2xx status then says that the request was applied.
 */
function asDeserializationFailure(error: unknown, response: HttpResponse): unknown {
  if (error === null || typeof error !== 'object') return error;
  const failure = error as Error & { $metadata?: ResponseMetadata; $responseBodyText?: string };
  try {
    Object.defineProperty(failure, '$response', { value: response, enumerable: false, writable: false, configurable: false });
  } catch {
    // Already defined by a deeper reader: it is the same answer.
  }
  if ('$metadata' in failure) return failure;
  try {
    failure.message += '\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.';
  } catch {
    // A read-only message stays as it is.
  }
  if (failure.$responseBodyText !== undefined) response.body = failure.$responseBodyText;
  const headers = Object.entries(response.headers);
  failure.$metadata = {
    httpStatusCode: response.statusCode,
    requestId: headerMatching(/^x-[\w-]+-request-?id$/, headers),
    extendedRequestId: headerMatching(/^x-[\w-]+-id-2$/, headers),
    cfId: headerMatching(/^x-[\w-]+-cf-id$/, headers),
  };
  return failure;
}

function headerMatching(pattern: RegExp, headers: Array<[string, string]>): string | undefined {
  return headers.find(([name]) => pattern.test(name))?.[1];
}
