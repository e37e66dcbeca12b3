import type { Logger } from '@nestjs/common';
import type { OperationObserver } from '../../observability/operation-observer.js';
import type { BatchRetrySettings } from '../../options/dynamo-kv.options.js';

/** What a coalescer needs besides the table requests. */
export interface CoalescerSettings {
  /** Requests of this coalescer on the wire at once; calls queue behind them and leave in batches. */
  maxInFlight: number;
  batchRetry: BatchRetrySettings;
  /** Counts a resend of unprocessed keys or items. */
  onRetry(operation: 'get' | 'set' | 'delete'): void;
  /** Where the warning goes when the batch action is denied. */
  logger: Logger;
  /** Links each request to the spans of the calls it carries. */
  tracing: Pick<OperationObserver, 'callerLink' | 'batchRequest'>;
}

/** How long single-item calls stand in for a denied batch action before a batch is tried again. */
export const BATCH_DENIED_RETRY_MS = 60_000;

/**
 * The batch action was refused (AccessDeniedException): the role may call GetItem/PutItem/DeleteItem but
 * not BatchGetItem/BatchWriteItem, or a new role's permissions have not reached DynamoDB yet. The
 * coalescer then sends single-item calls, and tries a batch again after {@link BATCH_DENIED_RETRY_MS}.
 */
export function isAccessDenied(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof Error && cause.name === 'AccessDeniedException';
}

/** Whether batches may be sent, and the one warning per denial. */
export class BatchPermission {
  private deniedUntil = 0;

  constructor(
    private readonly action: string,
    private readonly fallback: string,
    private readonly logger: Logger,
    private readonly table: string,
  ) {}

  get allowed(): boolean {
    return performance.now() >= this.deniedUntil;
  }

  deny(): void {
    if (this.allowed) {
      this.logger.warn(
        `DynamoDB refused dynamodb:${this.action} on table '${this.table}' (AccessDeniedException): ${this.fallback} for the next ` +
          `${BATCH_DENIED_RETRY_MS / 1000} s, then a batch is tried again. Allow dynamodb:${this.action} to have them batched.`,
      );
    }
    this.deniedUntil = performance.now() + BATCH_DENIED_RETRY_MS;
  }
}
