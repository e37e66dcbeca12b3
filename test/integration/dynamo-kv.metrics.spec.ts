import { Histogram, Registry, register as defaultRegistry } from 'prom-client';
import {
  KeyNotFoundError,
  OPERATION_DURATION_BUCKETS,
  OPERATION_DURATION_METRIC,
  OPERATION_DURATION_METRIC_TOKEN,
} from '../../lib/index.js';
import { sampleValue } from '../support/metric-samples.js';
import { useFixture, useTable } from '../support/fixture.js';
import { serverOptions } from '../support/store-options.js';
import { uniqueTableName } from '../support/test-endpoint.js';

const COUNT = `${OPERATION_DURATION_METRIC}_count`;

describe('operation duration histogram', () => {
  const table = useTable();
  const fixture = useFixture();

  it("counts real operations per store, table, operation and outcome in prom-client's default registry", async () => {
    const missing = uniqueTableName('missing');
    const first = await fixture.storeApp(serverOptions(table.name));
    // A second app instance and a second store in one process: neither may throw "already registered".
    const second = await fixture.storeApp({ ...serverOptions(missing), name: 'other' });

    await first.store.set('a', '1');
    await first.store.set('b', '2');
    await first.store.get('a');
    await first.store.get('absent').catch((error: unknown) => expect(error).toBeInstanceOf(KeyNotFoundError));
    await first.store.delete('a');
    await first.store.set('', 'x').catch(() => undefined);
    await first.store.healthCheck();
    await second.store.get('a').catch(() => undefined);

    const store = 'default';
    const count = (labels: Record<string, string>) => sampleValue(defaultRegistry, COUNT, labels);
    expect(await count({ store, table: table.name, operation: 'set', outcome: 'success' })).toBe(2);
    expect(await count({ store, table: table.name, operation: 'get', outcome: 'success' })).toBe(1);
    expect(await count({ store, table: table.name, operation: 'get', outcome: 'not_found' })).toBe(1);
    expect(await count({ store, table: table.name, operation: 'delete', outcome: 'success' })).toBe(1);
    expect(await count({ store, table: table.name, operation: 'set', outcome: 'invalid_key' })).toBe(1);
    expect(await count({ store, table: table.name, operation: 'health_check', outcome: 'success' })).toBe(1);
    expect(await count({ store: 'other', table: missing, operation: 'get', outcome: 'table_not_found' })).toBe(1);

    const rendered = await defaultRegistry.metrics();
    for (const bucket of [OPERATION_DURATION_BUCKETS[0], OPERATION_DURATION_BUCKETS.at(-1)]) {
      expect(rendered).toContain(`${OPERATION_DURATION_METRIC}_bucket{le="${bucket}",store="default"`);
    }
  });

  it('provides the histogram under the token @InjectMetric uses', async () => {
    const { app } = await fixture.storeApp(serverOptions(table.name));
    expect(OPERATION_DURATION_METRIC_TOKEN).toBe('PROM_METRIC_DYNAMODB_KV_OPERATION_DURATION_SECONDS');
    const injected = app.get(OPERATION_DURATION_METRIC_TOKEN);
    expect(injected).toBeInstanceOf(Histogram);
    expect(injected).toBe(defaultRegistry.getSingleMetric(OPERATION_DURATION_METRIC));
  });

  it('registers in the registry given in options', async () => {
    const registry = new Registry();
    const { store } = await fixture.storeApp({ ...serverOptions(table.name), metrics: { registry } });
    await store.set('custom-registry', 'v');
    expect(await sampleValue(registry, COUNT, { operation: 'set', outcome: 'success' })).toBe(1);
  });

  it('records nothing when disabled', async () => {
    const registry = new Registry();
    const { store } = await fixture.storeApp({ ...serverOptions(table.name), metrics: { registry, enabled: false } });
    await store.set('no-metrics', 'v');
    expect(registry.getSingleMetric(OPERATION_DURATION_METRIC)).toBeUndefined();
    expect(await registry.metrics()).not.toContain(OPERATION_DURATION_METRIC);
  });
});
