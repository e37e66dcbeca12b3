import { Logger } from '@nestjs/common';
import { InvalidKeyError, InvalidValueError, ItemTooLargeError } from '../kv-store.errors.js';
import type { KvOperation } from '../kv-store.interface.js';

export interface OperationLogEntry {
  store: string;
  table: string;
  operation: KvOperation;
  outcome: string;
  durationMs: number;
  /** The key, logged at debug level only. */
  key?: unknown;
  error?: unknown;
}

/**
 * Writes through Nest's Logger, so that the app decides the rendering (nestjs-pino makes the object
 * JSON fields). Values and credentials are never passed here; keys only reach debug lines.
 */
export class OperationLog {
  private readonly logger = new Logger('DynamoKvStore');

  write(entry: OperationLogEntry): void {
    const { key, error, ...fields } = entry;
    const durationMs = Math.round(entry.durationMs * 1000) / 1000;
    if (error === undefined) {
      this.logger.debug({ msg: `kv ${entry.operation} ${entry.outcome}`, ...fields, durationMs, key });
      return;
    }
    const failure = error instanceof Error ? error : new Error(String(error));
    const line = {
      msg: `kv ${entry.operation} failed: ${failure.message}`,
      ...fields,
      durationMs,
      errorName: failure.name,
      errorMessage: failure.message,
    };
    // A caller's bad input is the caller's bug, not the store's failure.
    if (isInputError(failure)) this.logger.warn(line);
    else this.logger.error(line);
  }
}

function isInputError(error: Error): boolean {
  return error instanceof InvalidKeyError || error instanceof InvalidValueError || error instanceof ItemTooLargeError;
}
