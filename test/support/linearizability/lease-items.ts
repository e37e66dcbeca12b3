import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { LEASE_KEY_PREFIX } from '../../../lib/coordination/leases/lease-options.js';
import type { TestTable } from '../test-endpoint.js';

/** A lease's item as DynamoDB holds it: the token it counts from, and when DynamoDB may delete it. */
export interface StoredLeaseItem {
  /** 0 when there is no item, or it has expired: the next owner would get token 1. */
  token: number;
  /** The item's expiry attribute, in epoch seconds; undefined without an item. */
  expiresAt?: number;
}

/**
 * The lease items of `names`, read past the store (a strongly consistent GetItem with the store's default
 * attribute names, `pk`, `value` and `expiresAt`), so that their TTL can be checked as well as their token.
 */
export async function storedLeaseItems(table: TestTable, names: readonly string[]): Promise<Map<string, StoredLeaseItem>> {
  const items = new Map<string, StoredLeaseItem>();
  for (const name of names) {
    const key = { pk: { S: LEASE_KEY_PREFIX + name } };
    const { Item } = await table.client.send(new GetItemCommand({ TableName: table.name, Key: key, ConsistentRead: true }));
    const expiresAt = Item?.expiresAt?.N === undefined ? undefined : Number(Item.expiresAt.N);
    const value = Item?.value?.S;
    const live = value !== undefined && (expiresAt === undefined || expiresAt * 1000 > Date.now());
    items.set(name, { token: live ? (JSON.parse(value) as { token: number }).token : 0, expiresAt });
  }
  return items;
}
