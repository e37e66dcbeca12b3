import type { CallSignal } from './call-signal.js';

/**
 * What the store knows about one call while the SDK works on it: the signal that ends it (the caller's,
 * or the call's time budget), and whether any attempt may have reached DynamoDB, which decides whether a
 * failed write was refused or has an unknown outcome.
 */
export interface CallContext {
  readonly signal: CallSignal;
  /** Attempts on the wire right now. */
  attemptsInFlight: number;
  /** Some attempt failed in a way that DynamoDB may still have applied (a reset, a timeout, a 5xx). */
  mayHaveApplied: boolean;
  /** How the latest finished attempt failed: what a call cut short by its budget was running into. */
  lastAttemptError?: unknown;
  /** The request changes what is stored (PutItem, DeleteItem, UpdateItem, BatchWriteItem): set by its first attempt. */
  write?: boolean;
}

/** The DynamoDB commands that change what is stored: never resent once an attempt may have been applied. */
export const WRITE_COMMANDS = new Set(['PutItemCommand', 'DeleteItemCommand', 'UpdateItemCommand', 'BatchWriteItemCommand']);

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether a failed attempt may have been applied by DynamoDB: anything but a connection that never
 * opened or an answer that refused the request (a 4xx: throttling, validation, access, a failed condition).
 */
export function attemptMayHaveApplied(error: unknown): boolean {
  const failure = error as { code?: unknown; name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  const status = failure?.$metadata?.httpStatusCode;
  // A 4xx is DynamoDB refusing the request. A 2xx whose body could not be read was applied, and a 5xx may be.
  if (status !== undefined) return status < 400 || status >= 500;
  if (typeof failure?.code === 'string' && NOT_SENT_CODES.has(failure.code)) return false;
  const neverConnected = failure?.name === 'TimeoutError' && String(failure.message).includes('did not establish a connection');
  return !neverConnected;
}

/** Filled in by a send: whether any attempt of it may have reached DynamoDB, whatever the final answer. */
export interface AttemptLog {
  mayHaveApplied: boolean;
}
