import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { COUNTER_ATTRIBUTE, WRITE_TOKEN_ATTRIBUTE, type ItemShape } from '../../input/kv-input.validation.js';
import { hasExpired } from '../../input/ttl.validation.js';
import type { DynamoKvSettings } from '../../options/dynamo-kv.settings.js';

export type StoredItem = Record<string, AttributeValue>;

/** What a read found under a key: its value, an item whose expiry has passed, or nothing it can return. */
export type Found = { state: 'value'; value: string } | { state: 'expired' } | { state: 'absent' };

/**
 * How the store lays a key-value pair out as a DynamoDB item: the key prefix, the key and value
 * attributes, and the expiry as a Number of epoch seconds. Reading honours the expiry, whether or not
 * DynamoDB has deleted the item yet.
 */
export class ItemFormat implements ItemShape {
  readonly partitionKeyName: string;
  readonly valueAttributeName: string;
  readonly expiryAttributeName: string;
  readonly keyPrefix: string;
  /** Bytes the prefix adds to every key, for the 2048-byte limit. */
  readonly prefixBytes: number;

  constructor(settings: Pick<DynamoKvSettings, 'partitionKeyName' | 'valueAttributeName' | 'keyPrefix' | 'ttl'>) {
    this.partitionKeyName = settings.partitionKeyName;
    this.valueAttributeName = settings.valueAttributeName;
    this.expiryAttributeName = settings.ttl.attributeName;
    this.keyPrefix = settings.keyPrefix;
    this.prefixBytes = Buffer.byteLength(settings.keyPrefix, 'utf8');
  }

  storedKey(key: string): string {
    return this.keyPrefix + key;
  }

  /** The key of one item, as DynamoDB takes it. */
  key(key: string): StoredItem {
    return { [this.partitionKeyName]: { S: this.storedKey(key) } };
  }

  /** The item of a write; `token` marks a conditional write's own item (see `writeToken`). */
  item(key: string, value: string, expiresAt: number | undefined, token?: string): StoredItem {
    const item: StoredItem = { ...this.key(key), [this.valueAttributeName]: { S: value } };
    if (expiresAt !== undefined) item[this.expiryAttributeName] = { N: String(expiresAt) };
    if (token !== undefined) item[WRITE_TOKEN_ATTRIBUTE] = { S: token };
    return item;
  }

  /** A counter's item, as a restart of an expired counter writes it: the count in a Number attribute of its own. */
  counterItem(key: string, count: number, expiresAt: number | undefined, token: string): StoredItem {
    const item: StoredItem = { ...this.key(key), [COUNTER_ATTRIBUTE]: { N: String(count) }, [WRITE_TOKEN_ATTRIBUTE]: { S: token } };
    if (expiresAt !== undefined) item[this.expiryAttributeName] = { N: String(expiresAt) };
    return item;
  }

  /** The count of a counter's item; undefined for an item that holds none. */
  countOf(item: StoredItem | undefined): number | undefined {
    const count = item === undefined ? undefined : own(item, COUNTER_ATTRIBUTE)?.N;
    return count === undefined ? undefined : Number(count);
  }

  /** Whether the item holds a string value (a counter holds none). */
  holdsString(item: StoredItem): boolean {
    return own(item, this.valueAttributeName)?.S !== undefined;
  }

  /** The token of the conditional write that stored `item`; undefined for any other item. */
  tokenOf(item: StoredItem | undefined): string | undefined {
    return item === undefined ? undefined : own(item, WRITE_TOKEN_ATTRIBUTE)?.S;
  }

  /** The caller's key of a stored item or key (the prefix taken off); undefined for one of another prefix. */
  callerKey(item: StoredItem): string | undefined {
    const stored = own(item, this.partitionKeyName)?.S;
    if (stored === undefined || !stored.startsWith(this.keyPrefix)) return undefined;
    return stored.slice(this.keyPrefix.length);
  }

  /** A counter reads as its decimal string. */
  read(item: StoredItem | undefined, nowMs: number): Found {
    const value = item === undefined ? undefined : (own(item, this.valueAttributeName)?.S ?? this.countOf(item)?.toString());
    if (item === undefined || value === undefined) return { state: 'absent' };
    if (this.expired(item, nowMs)) return { state: 'expired' };
    return { state: 'value', value };
  }

  /** Whether the item's expiry has passed. */
  expired(item: StoredItem, nowMs: number): boolean {
    const expiry = own(item, this.expiryAttributeName)?.N;
    // An expiry that is not a number was not written by this store: DynamoDB's TTL ignores it, and so do reads.
    return expiry !== undefined && hasExpired(Number(expiry), nowMs);
  }
}

/** Own properties only: an attribute named like an Object.prototype member must not read the prototype. */
function own(item: StoredItem, name: string): AttributeValue | undefined {
  return Object.hasOwn(item, name) ? item[name] : undefined;
}
