import type { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttemptLog } from '../client/call-context.js';
import { KvOutcomeUnknownError, KvStoreError } from '../contract/kv-store.errors.js';
import type { KvOperation } from '../contract/kv-store.interface.js';
import { batchGetCommand, readBatchGet } from './requests/batch-get.request.js';
import { batchWriteCommand, unprocessedWrites, type WriteRequest } from './requests/batch-write.request.js';
import { isConditionFailed, writeToken } from './requests/conditional-put.request.js';
import type { Found, StoredItem } from './requests/item-format.js';
import { deleteItemCommand, getItemCommand, putItemCommand, type TableTarget } from './requests/item.request.js';
import { readKeyPage, scanKeysCommand, type KeyPage } from './requests/scan-keys.request.js';
import type { RequestSender } from './request-sender.js';

/** What one BatchGetItem round found, by the caller's key, and the keys DynamoDB left unprocessed. */
export interface BatchGetRound {
  found: Map<string, Found>;
  unprocessed: string[];
}

/** What one BatchWriteItem round left unprocessed, and whether an earlier attempt of it may have applied them anyway. */
export interface BatchWriteRound {
  unprocessed: WriteRequest[];
  /** The SDK resent the request after an attempt whose answer was lost: "unprocessed" then speaks only for the resend. */
  unprocessedMayHaveApplied: boolean;
}

/** When a request must end and what can cancel it: a call's deadline (performance.now() time) and the caller's signal. */
export interface RequestWindow {
  signal?: AbortSignal;
  deadline?: number;
}

/**
 * The store's requests to its table, one method per DynamoDB call, each answering in the store's terms
 * (what a read found, whether a condition held, what was left unprocessed). Shared by the store's own
 * calls, its batch calls and the coalescers.
 */
export class TableRequests {
  constructor(
    private readonly sender: RequestSender,
    readonly target: TableTarget,
    private readonly now: () => number,
  ) {}

  /** Every call's time budget, in milliseconds. */
  get timeoutMs(): number {
    return this.sender.timeoutMs;
  }

  async getItem(operation: KvOperation, key: string, consistentRead: boolean, window: RequestWindow = {}): Promise<Found> {
    return this.target.format.read(await this.getStoredItem(operation, key, consistentRead, window), this.now());
  }

  async putItem(operation: KvOperation, key: string, value: string, expiresAt: number | undefined, window: RequestWindow = {}): Promise<void> {
    await this.sender.send({ operation, ...window, capacity: 'write' }, (client, options) =>
      client.send(putItemCommand(this.target, key, value, expiresAt), options),
    );
  }

  async deleteItem(operation: KvOperation, key: string, window: RequestWindow = {}): Promise<void> {
    await this.sender.send({ operation, ...window, capacity: 'write' }, (client, options) => client.send(deleteItemCommand(this.target, key), options));
  }

  /**
   * A PutItem with a condition and a token of its own: true when it wrote, false when the condition did
   * not hold. When an attempt may have been applied and its answer was lost, the token settles it: the
   * item that failed a resend's condition (returned with the failure), or else a strongly consistent
   * read, holds this write's token (true: it was applied, once, since the store's client never resends a
   * write after such an attempt) or not (then it may have been applied and overwritten, or may still land:
   * the outcome is unknown, never false).
   */
  async conditionalPut(
    operation: KvOperation,
    key: string,
    command: (token: string, nowMs: number) => PutItemCommand,
    window: RequestWindow = {},
  ): Promise<boolean> {
    const token = writeToken();
    const log: AttemptLog = { mayHaveApplied: false };
    try {
      await this.sender.send({ operation, ...window, capacity: 'write', log }, (client, options) => client.send(command(token, this.now()), options));
      return true;
    } catch (error) {
      const failed = error instanceof KvStoreError ? error.cause : undefined;
      const conditionFailed = isConditionFailed(failed);
      if (!log.mayHaveApplied) {
        if (conditionFailed) return false;
        throw error;
      }
      const current = conditionFailed && failed.Item !== undefined ? failed.Item : await this.readBack(operation, key, window);
      if (this.target.format.tokenOf(current) === token) return true;
      throw error instanceof KvOutcomeUnknownError && !conditionFailed ? error : this.resentAndChanged(operation, failed);
    }
  }

  async batchGet(operation: KvOperation, keys: string[], consistentRead: boolean, window: RequestWindow = {}): Promise<BatchGetRound> {
    const output = await this.sender.send({ operation, ...window, capacity: 'read' }, (client, options) =>
      client.send(batchGetCommand(this.target, keys, consistentRead), options),
    );
    const { items, unprocessed } = readBatchGet(this.target, output);
    const found = new Map<string, Found>();
    const now = this.now();
    for (const item of items) {
      const key = this.target.format.callerKey(item);
      if (key !== undefined) found.set(key, this.target.format.read(item, now));
    }
    return { found, unprocessed };
  }

  /** One BatchWriteItem round; the writes DynamoDB left unprocessed. */
  async batchWrite(operation: KvOperation, requests: WriteRequest[], window: RequestWindow = {}): Promise<BatchWriteRound> {
    const log: AttemptLog = { mayHaveApplied: false };
    const output = await this.sender.send({ operation, ...window, capacity: 'write', log }, (client, options) =>
      client.send(batchWriteCommand(this.target, requests), options),
    );
    return { unprocessed: unprocessedWrites(this.target, output), unprocessedMayHaveApplied: log.mayHaveApplied };
  }

  /** One Scan page of the keys that start with `prefix`, from `start` (the previous page's `next`). */
  async scanKeys(operation: KvOperation, prefix: string, consistentRead: boolean, start?: StoredItem, signal?: AbortSignal): Promise<KeyPage> {
    const output = await this.sender.send({ operation, signal, capacity: 'read' }, (client, options) =>
      client.send(scanKeysCommand(this.target, prefix, consistentRead, start), options),
    );
    return readKeyPage(this.target, output, this.now());
  }

  private async getStoredItem(operation: KvOperation, key: string, consistentRead: boolean, window: RequestWindow): Promise<StoredItem | undefined> {
    const output = await this.sender.send({ operation, ...window, capacity: 'read' }, (client, options) =>
      client.send(getItemCommand(this.target, key, consistentRead), options),
    );
    return output.Item;
  }

  /** The item a conditional write met, read back; when even that fails, the write's outcome stays unknown. */
  private async readBack(operation: KvOperation, key: string, window: RequestWindow): Promise<StoredItem | undefined> {
    try {
      return await this.getStoredItem(operation, key, true, { deadline: window.deadline });
    } catch (error) {
      throw this.resentAndChanged(operation, error);
    }
  }

  private resentAndChanged(operation: KvOperation, cause: unknown): KvOutcomeUnknownError {
    return new KvOutcomeUnknownError(
      `The ${operation} on table '${this.target.table}' lost the answer of an attempt, and the key does not hold that attempt's ` +
        'write: it may have been applied and overwritten since, may still land, or never be applied. Read the key to know.',
      { operation, table: this.target.table, cause },
    );
  }
}
