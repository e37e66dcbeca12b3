/**
 * The request body of a JSON-protocol call: the command's input as JSON, as the SDK's DynamoDB codec
 * writes it. The input is already in the wire's shape (AttributeValues as `{ S }`, `{ N }`, ...); only
 * binary values (`B`, `BS`) become base64, and null members are left out.
 */
export function jsonBody(input: object): string {
  return JSON.stringify(input, binaryAsBase64);
}

function binaryAsBase64(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // The holder's own value, before toJSON: a Buffer's toJSON would turn it into { type, data }.
  const original = this[key];
  if (original instanceof Uint8Array) return Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64');
  return value === null ? undefined : value;
}

/**
 * Whether an answer's JSON may hold binary AttributeValues, which the SDK hands back as bytes rather than
 * base64 text. A quote inside a JSON string is escaped, so `"B":` can only be a member name.
 */
export function mayHoldBinary(json: string): boolean {
  return BINARY_MEMBER.test(json);
}

const BINARY_MEMBER = /"BS?"\s*:/;
