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
 * Writes one line per event through Nest's Logger, so that the app decides where it goes (nestjs-pino
 * makes it the `msg` of a JSON line). Lines, not objects: Nest's default logger prints an object as a
 * multi-line dump. Failures are always logged, one line with the cause; successful operations only with
 * `logOperations: true`, at debug level. Values and credentials are never logged; a key only reaches the
 * opt-in operation lines, and a batch is logged by its size, never its keys.
 */
export class OperationLog {
  private readonly logger = new Logger('DynamoKvStore');

  constructor(private readonly logOperations: boolean) {}

  write(entry: OperationLogEntry): void {
    const { operation, outcome, error } = entry;
    // Every call passes here: nothing is built for a line that is not written.
    if (error === undefined && !this.logOperations) return;
    const where = `store=${entry.store} table=${entry.table} durationMs=${Math.round(entry.durationMs * 1000) / 1000}`;
    if (error === undefined) {
      this.logger.debug(`kv ${operation} ${outcome} ${where}${keysOf(entry.keys, true)}`);
      return;
    }
    const failure = error instanceof Error ? error : new Error(String(error));
    // The SDK's own words (addresses, HTTP bodies) stay out of error messages; the cause in the log has them.
    const line = `kv ${operation} failed (${outcome}) ${where}${keysOf(entry.keys, false)}: ${oneLine(failure)}${causeOf(failure)}`;
    // A caller's bad input is the caller's bug, not the store's failure.
    if (isInputError(failure)) this.logger.warn(line);
    else this.logger.error(line);
  }
}

function keysOf(keys: ObservedKeys, withKey: boolean): string {
  if (keys === undefined) return '';
  if ('keyCount' in keys) return ` keyCount=${keys.keyCount}`;
  return withKey ? ` key=${JSON.stringify(String(keys.key))}` : '';
}

function causeOf(error: Error): string {
  const cause = error.cause;
  if (cause === undefined) return '';
  return `; cause: ${cause instanceof Error ? oneLine(cause) : String(cause).replace(/\s*\n\s*/g, ' ')}`;
}

function oneLine(error: Error): string {
  return `${error.name}: ${error.message}`.replace(/\s*\n\s*/g, ' ').replace(/\.$/, '');
}

function isInputError(error: Error): boolean {
  return (
    error instanceof InvalidKeyError ||
    error instanceof InvalidValueError ||
    error instanceof InvalidTtlError ||
    error instanceof ItemTooLargeError
  );
}
