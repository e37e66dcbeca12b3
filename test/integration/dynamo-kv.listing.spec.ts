import { Registry } from 'prom-client';
import { CONSUMED_CAPACITY_METRIC, OPERATION_DURATION_METRIC } from '../../lib/index.js';
import { allKeys } from '../../lib/testing/contract/listing.contract.js';
import { useFixture, useTable } from '../support/fixture.js';
import { sampleValue } from '../support/metric-samples.js';
import { serverOptions } from '../support/store-options.js';

/** What the listing contract cannot see from outside a store: Scan paging, the key prefix, the metrics. */
describe('DynamoKvStore.listKeys on a real server', () => {
  const table = useTable();
  const fixture = useFixture();

  it('pages through more than one Scan page (1 MB) to the end of the table', async () => {
    const { store } = await fixture.storeApp({ ...serverOptions(table.name), keyPrefix: 'paged:' });
    const keys = Array.from({ length: 150 }, (_, index) => `item-${String(index).padStart(3, '0')}`);
    // 150 items of about 9 KB: about 1.35 MB, so DynamoDB answers in at least two pages.
    await store.setMany(keys.map((key) => [key, 'x'.repeat(9_000)] as const));

    const pages: string[][] = [];
    for await (const page of store.listKeys({ consistentRead: true })) pages.push(page);

    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages.flat().sort()).toEqual(keys);
  });

  it("lists only its own store's keys, without the store's key prefix", async () => {
    const sessions = (await fixture.storeApp({ ...serverOptions(table.name), name: 'sessions', keyPrefix: 'sessions:' })).store;
    const carts = (await fixture.storeApp({ ...serverOptions(table.name), name: 'carts', keyPrefix: 'carts:' })).store;
    await sessions.setMany([['user-1', 's'], ['user-2', 's']]);
    await carts.set('user-1', 'c');

    expect(await allKeys(sessions.listKeys({ prefix: 'user-', consistentRead: true }))).toEqual(['user-1', 'user-2']);
    expect(sessions.keyPrefix).toBe('sessions:');
  });

  it('observes each Scan page as list_keys, with the read capacity it consumed', async () => {
    const registry = new Registry();
    const own = await fixture.table();
    const { store } = await fixture.storeApp({ ...serverOptions(own.name), metrics: { registry } });
    await store.set('k', 'v');
    for await (const page of store.listKeys()) expect(page).toEqual(['k']);

    const labels = { operation: 'list_keys', outcome: 'success' };
    expect(await sampleValue(registry, `${OPERATION_DURATION_METRIC}_count`, labels)).toBe(1);
    expect(await sampleValue(registry, CONSUMED_CAPACITY_METRIC, { operation: 'list_keys', kind: 'read' })).toBeGreaterThan(0);
  });
});
