import type { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { KvStoreError } from '../contract/kv-store.errors.js';
import type { KvOperation } from '../contract/kv-store.interface.js';
import { batchGetCommand, readBatchGet } from './requests/batch-get.request.js';
import { batchWriteCommand, unprocessedWrites, type WriteRequest } from './requests/batch-write.request.js';
import { isConditionFailed } from './requests/conditional-put.request.js';
import type { Found, StoredItem } from './requests/item-format.js';
import { deleteItemCommand, getItemCommand, putItemCommand, type TableTarget } from './requests/item.request.js';
import { readKeyPage, scanKeysCommand, type KeyPage } from './requests/scan-keys.request.js';
import type { RequestSender } from './request-sender.js';

/** What one BatchGetItem round found, by the caller's key, and the keys DynamoDB left unprocessed. */
export interface BatchGetRound {
  found: Map<string, Found>;
  unprocessed: string[];
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

  async getItem(operation: KvOperation, key: string, consistentRead: boolean, signal?: AbortSignal): Promise<Found> {
    const output = await this.sender.send({ operation, signal, capacity: 'read' }, (client, options) =>
      client.send(getItemCommand(this.target, key, consistentRead), options),
    );
    return this.target.format.read(output.Item, this.now());
  }

  async putItem(operation: KvOperation, key: string, value: string, expiresAt: number | undefined, signal?: AbortSignal): Promise<void> {
    await this.sender.send({ operation, signal, capacity: 'write' }, (client, options) =>
      client.send(putItemCommand(this.target, key, value, expiresAt), options),
    );
  }

  async deleteItem(operation: KvOperation, key: string, signal?: AbortSignal): Promise<void> {
    await this.sender.send({ operation, signal, capacity: 'write' }, (client, options) => client.send(deleteItemCommand(this.target, key), options));
  }

  /** A PutItem with a condition: true when it wrote, false when the condition did not hold. */
  async conditionalPut(operation: KvOperation, command: (nowMs: number) => PutItemCommand, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.sender.send({ operation, signal, capacity: 'write' }, (client, options) => client.send(command(this.now()), options));
      return true;
    } catch (error) {
      if (isConditionFailed((error as KvStoreError).cause)) return false;
      throw error;
    }
  }

  async batchGet(operation: KvOperation, keys: string[], consistentRead: boolean, signal?: AbortSignal): Promise<BatchGetRound> {
    const output = await this.sender.send({ operation, signal, capacity: 'read' }, (client, options) =>
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
  async batchWrite(operation: KvOperation, requests: WriteRequest[], signal?: AbortSignal): Promise<WriteRequest[]> {
    const output = await this.sender.send({ operation, signal, capacity: 'write' }, (client, options) =>
      client.send(batchWriteCommand(this.target, requests), options),
    );
    return unprocessedWrites(this.target, output);
  }

  /** One Scan page of the keys that start with `prefix`, from `start` (the previous page's `next`). */
  async scanKeys(operation: KvOperation, prefix: string, consistentRead: boolean, start?: StoredItem, signal?: AbortSignal): Promise<KeyPage> {
    const output = await this.sender.send({ operation, signal, capacity: 'read' }, (client, options) =>
      client.send(scanKeysCommand(this.target, prefix, consistentRead, start), options),
    );
    return readKeyPage(this.target, output, this.now());
  }
}
