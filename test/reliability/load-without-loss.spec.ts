import type { KVStore } from '../../lib/index.js';
import { useFixture, useTable } from '../support/fixture.js';
import { serverOptions } from '../support/store-options.js';

const WRITERS = 64;
const OPERATIONS = 20_000;
const KEYS = 200;

/** One write as a caller saw it: what it did, and when it was issued and acknowledged. */
interface Write {
  value: string | undefined; // undefined: a delete
  issued: number;
  acknowledged: number;
}

/**
 * The values a key may hold after concurrent writes, if the store lost none: those of the writes that no
 * other write of the key was issued after (the ones that could have been applied last).
 */
function possibleFinalValues(writes: Write[]): Set<string | undefined> {
  return new Set(writes.filter((write) => !writes.some((other) => other.issued > write.acknowledged)).map((write) => write.value));
}

async function hammer(store: KVStore): Promise<{ acknowledged: number; lost: string[] }> {
  const history = new Map<string, Write[]>();
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, writer) => {
      for (let index = next++; index < OPERATIONS; index = next++) {
        const key = `load-${index % KEYS}`;
        const value = index % 5 === 4 ? undefined : `writer ${writer}, write ${index}`;
        const issued = performance.now();
        await (value === undefined ? store.delete(key) : store.set(key, value));
        history.set(key, [...(history.get(key) ?? []), { value, issued, acknowledged: performance.now() }]);
      }
    }),
  );
  const lost: string[] = [];
  for (const [key, writes] of history) {
    const stored = await store.get(key, { consistentRead: true }).catch(() => undefined);
    if (!possibleFinalValues(writes).has(stored)) lost.push(key);
  }
  return { acknowledged: OPERATIONS, lost };
}

describe(`load without loss: ${WRITERS} writers, ${OPERATIONS} sets and deletes on ${KEYS} shared keys, checked against the history`, () => {
  const table = useTable();
  const fixture = useFixture();

  it.each([
    ['on', true],
    ['off', false],
  ])('batching %s: every key ends at a value some last write gave it', async (_label, enabled) => {
    const { store } = await fixture.storeApp({ ...serverOptions(table.name), keyPrefix: `batching-${enabled}:`, batching: { enabled } });
    const { acknowledged, lost } = await hammer(store);
    console.log(`load without loss, batching ${enabled ? 'on' : 'off'}: ${acknowledged} writes acknowledged, ${lost.length} keys lost a write`);
    expect(lost).toEqual([]);
  }, 120_000);
});
