import type { Logger } from '@nestjs/common';
import type { BatchRetrySettings } from '../../options/dynamo-kv.options.js';

/** What a coalescer needs besides the table requests. */
export interface CoalescerSettings {
  /** Requests of this coalescer on the wire at once; calls queue behind them and leave in batches. */
  maxInFlight: number;
  batchRetry: BatchRetrySettings;
  /** Counts a resend of unprocessed keys or items. */
  onRetry(operation: 'get' | 'set' | 'delete'): void;
  /** Where the one warning goes when the batch action is denied. */
  logger: Logger;
}

/**
 * The batch action was refused (AccessDeniedException): the role may call GetItem/PutItem/DeleteItem but
 * not BatchGetItem/BatchWriteItem. The coalescer then falls back to single-item calls for good.
 */
export function isAccessDenied(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof Error && cause.name === 'AccessDeniedException';
}
