import { SeededRandom } from '../seeded-random.js';
import type { Operation } from './history.js';
import { INITIAL_STATE, step, type KeyState } from './kv-model.js';

export interface SimulationSettings {
  seed: number;
  clients: number;
  operationsPerClient: number;
  keys: number;
  /** The share of writes whose outcome the caller never learns (half of those do take effect). */
  unknownRate: number;
  /** The share of operations that are increments (none by default). */
  incrementShare?: number;
}

/**
 * A history that is linearizable by construction, to test the checker on histories the size of the
 * harness's: each client calls one operation after another, each takes effect at a random instant
 * between its call and its return, and the outputs are those of the model run in the order of those
 * instants. Unknown outcomes take effect, or not, at a random later instant.
 */
export function simulatedHistory(settings: SimulationSettings): Operation[] {
  const random = new SeededRandom(settings.seed);
  const planned: Array<{ operation: Operation; at: number; applies: boolean }> = [];
  for (let client = 0; client < settings.clients; client += 1) {
    let time = random.next() * 5;
    for (let index = 0; index < settings.operationsPerClient; index += 1) {
      const call = time;
      const ret = call + 0.5 + random.next() * 10;
      const operation = plannedOperation(random, settings, client, index, `k${random.int(0, settings.keys - 1)}`, call, ret);
      const unknown = operation.kind !== 'get' && random.chance(settings.unknownRate);
      if (unknown) operation.status = 'unknown';
      const at = unknown ? call + random.next() * 40 : call + random.next() * (ret - call);
      planned.push({ operation, at, applies: !unknown || random.chance(0.5) });
      time = ret + random.next() * 3;
    }
  }
  const states = new Map<string, KeyState>();
  for (const { operation, applies } of planned.sort((a, b) => a.at - b.at)) {
    if (!applies) continue;
    const result = step(states.get(operation.key) ?? INITIAL_STATE, operation);
    states.set(operation.key, result.state);
    if (operation.status === 'unknown') continue;
    if (operation.kind === 'get') operation.output = result.output as string | null;
    if (operation.kind === 'setIfAbsent' || operation.kind === 'compareAndSwap') operation.output = result.output as boolean;
    if (operation.kind === 'increment') operation.output = result.output as number | null;
  }
  return planned.map(({ operation }) => operation);
}

function plannedOperation(random: SeededRandom, settings: SimulationSettings, client: number, index: number, key: string, call: number, ret: number): Operation {
  const base = { client, key, call, return: ret, status: 'ok' as const };
  const value = `c${client}-o${index}`;
  // Expected values of compare-and-swap come from recent values of other clients, so that some match.
  const recent = `c${random.int(0, client)}-o${random.int(Math.max(0, index - 3), index)}`;
  // Drawn only when increments are asked for, so that histories without them stay as they were.
  if (settings.incrementShare !== undefined && random.chance(settings.incrementShare)) return { ...base, kind: 'increment', input: { delta: random.int(-2, 3) } };
  switch (random.int(0, 5)) {
    case 0:
    case 1:
      return { ...base, kind: 'get', output: null };
    case 2:
      return { ...base, kind: 'set', input: { value } };
    case 3:
      return { ...base, kind: 'delete' };
    case 4:
      return { ...base, kind: 'setIfAbsent', input: { value } };
    default:
      return { ...base, kind: 'compareAndSwap', input: { expected: recent, next: value } };
  }
}
