import { Logger } from '@nestjs/common';
import { InvalidKeyError, InvalidTtlError, InvalidValueError, ItemTooLargeError } from '../contract/kv-store.errors.js';
import type { KvOperation } from '../contract/kv-store.interface.js';
import type { OperationOutcome } from './operation-outcome.js';

/** The key of a single-key operation, or how many keys a batch had; none for table-level operations. */
export type ObservedKeys = { key: unknown } | { keyCount: number } | undefined;

export interface OperationLogEntry {
  store: string;
  table: string;
  operation: KvOperation;
  outcome: OperationOutcome;
  durationMs: number;
  keys: ObservedKeys;
  error?: unknown;
}

/**
 * Writes through Nest's Logger, so that the app decides the rendering (nestjs-pino makes the object
 * JSON fields). Values and credentials are never passed here; a key only reaches debug lines, and a batch
 * is logged by its size, never its keys.
 */
export class OperationLog {
  private readonly logger = new Logger('DynamoKvStore');

  write(entry: OperationLogEntry): void {
    const { keys, error, ...fields } = entry;
    const durationMs = Math.round(entry.durationMs * 1000) / 1000;
    if (error === undefined) {
      this.logger.debug({ msg: `kv ${entry.operation} ${entry.outcome}`, ...fields, durationMs, ...keys });
      return;
    }
    const failure = error instanceof Error ? error : new Error(String(error));
    const keyCount = keys !== undefined && 'keyCount' in keys ? { keyCount: keys.keyCount } : {};
    const line = {
      msg: `kv ${entry.operation} failed: ${failure.message}`,
      ...fields,
      durationMs,
      ...keyCount,
      errorName: failure.name,
      errorMessage: failure.message,
      // The SDK's own words (addresses, HTTP bodies) stay out of error messages; they belong here.
      ...causeOf(failure),
    };
    // A caller's bad input is the caller's bug, not the store's failure.
    if (isInputError(failure)) this.logger.warn(line);
    else this.logger.error(line);
  }
}

function causeOf(error: Error): { causeName?: string; causeMessage?: string } {
  const cause = error.cause;
  if (cause === undefined) return {};
  return cause instanceof Error ? { causeName: cause.name, causeMessage: cause.message } : { causeMessage: String(cause) };
}

function isInputError(error: Error): boolean {
  return (
    error instanceof InvalidKeyError ||
    error instanceof InvalidValueError ||
    error instanceof InvalidTtlError ||
    error instanceof ItemTooLargeError
  );
}
