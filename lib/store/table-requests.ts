import type { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { SendOptions } from '../client/store-client.js';
import type { AttemptLog } from '../client/call-context.js';
import { KvOutcomeUnknownError, KvStoreError } from '../contract/kv-store.errors.js';
import type { KvOperation } from '../contract/kv-store.interface.js';
import { batchGetCommand, readBatchGet } from './requests/batch-get.request.js';
import { batchWriteCommand, unprocessedWrites, type WriteRequest } from './requests/batch-write.request.js';
import { isConditionFailed, writeToken } from './requests/conditional-put.request.js';
import { incrementCommand, touchCommand, type CounterWrite } from './requests/counter.request.js';
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

/** What an increment did: counted (the new count), or met an item its condition refused (returned by DynamoDB when it does). */
export type CounterRound = { counted: true; count: number } | { counted: false; item: StoredItem | undefined };

/** A token-guarded write's end: applied (with its answer, or the item read back that holds its token), or refused by its condition. */
type TokenWrite<T> = { applied: true; output?: T; item?: StoredItem } | { applied: false; item: StoredItem | undefined };

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
    return this.found(await this.storedItem(operation, key, consistentRead, window));
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
   * not hold. See {@link tokenWrite} for how an attempt whose answer was lost is settled.
   */
  async conditionalPut(
    operation: KvOperation,
    key: string,
    command: (token: string, nowMs: number) => PutItemCommand,
    window: RequestWindow = {},
  ): Promise<boolean> {
    const token = writeToken();
    const written = await this.tokenWrite(operation, key, token, (client, options) => client.send(command(token, this.now()), options), window);
    return written.applied;
  }

  /**
   * One increment: the new count, or the item that refused it (an expired counter, a string value, a
   * count out of range) for the caller to decide. See {@link tokenWrite} for a lost answer.
   */
  async increment(operation: KvOperation, write: Omit<CounterWrite, 'token'>, window: RequestWindow = {}): Promise<CounterRound> {
    const token = writeToken();
    const written = await this.tokenWrite(
      operation,
      write.key,
      token,
      (client, options) => client.send(incrementCommand(this.target, { ...write, token }, this.now()), options),
      window,
    );
    if (!written.applied) return { counted: false, item: written.item };
    const count = this.target.format.countOf(written.output?.Attributes ?? written.item);
    if (count === undefined) throw new KvStoreError(`The ${operation} on table '${this.target.table}' was applied but its answer held no count.`, { operation, table: this.target.table });
    return { counted: true, count };
  }

  /** Sets the expiry of a key's live value: true when it did, false when the key had none. */
  async touch(operation: KvOperation, key: string, expiresAt: number | undefined, window: RequestWindow = {}): Promise<boolean> {
    try {
      await this.sender.send({ operation, ...window, capacity: 'write' }, (client, options) =>
        client.send(touchCommand(this.target, key, expiresAt, this.now()), options),
      );
      return true;
    } catch (error) {
      if (error instanceof KvStoreError && isConditionFailed(error.cause) && !(error instanceof KvOutcomeUnknownError)) return false;
      throw error;
    }
  }

  /**
   * A write guarded by a token of its own, which the item keeps. When an attempt may have been applied
   * and its answer was lost, the token settles it: the item that failed a resend's condition (returned
   * with the failure), or else a strongly consistent read, holds this write's token (it was applied, once,
   * since the store's client never resends a write after such an attempt, and a resend of the SDK's own
   * fails its condition on the token) or not (then it may have been applied and overwritten, or may still
   * land: the outcome is unknown, never "not applied").
   */
  private async tokenWrite<T>(
    operation: KvOperation,
    key: string,
    token: string,
    call: (client: DynamoDBClient, options: SendOptions) => Promise<T>,
    window: RequestWindow,
  ): Promise<TokenWrite<T>> {
    const log: AttemptLog = { mayHaveApplied: false };
    try {
      return { applied: true, output: await this.sender.send({ operation, ...window, capacity: 'write', log }, call) };
    } catch (error) {
      const failed = error instanceof KvStoreError ? error.cause : undefined;
      const conditionFailed = isConditionFailed(failed);
      if (!log.mayHaveApplied) {
        if (conditionFailed) return { applied: false, item: failed.Item };
        throw error;
      }
      const current = conditionFailed && failed.Item !== undefined ? failed.Item : await this.readBack(operation, key, window);
      if (this.target.format.tokenOf(current) === token) return { applied: true, item: current };
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

  /** What a read of `item` finds now, by the store's clock. */
  found(item: StoredItem | undefined): Found {
    return this.target.format.read(item, this.now());
  }

  /** The item under a key as stored, expired or not. */
  async storedItem(operation: KvOperation, key: string, consistentRead: boolean, window: RequestWindow): Promise<StoredItem | undefined> {
    const output = await this.sender.send({ operation, ...window, capacity: 'read' }, (client, options) =>
      client.send(getItemCommand(this.target, key, consistentRead), options),
    );
    return output.Item;
  }

  /** The item a conditional write met, read back; when even that fails, the write's outcome stays unknown. */
  private async readBack(operation: KvOperation, key: string, window: RequestWindow): Promise<StoredItem | undefined> {
    try {
      return await this.storedItem(operation, key, true, { deadline: window.deadline });
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
