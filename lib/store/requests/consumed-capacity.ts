import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';

/** Capacity units a response reports (one entry for item requests, one per table for batches). */
export function capacityUnits(consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): number {
  const entries = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
  return entries.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}
