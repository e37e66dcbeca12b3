import type { Registry } from 'prom-client';

/**
 * The value of one sample in the registry's text exposition (what /metrics serves), e.g.
 * `dynamodb_kv_operation_duration_seconds_count` with `{ operation: 'get', outcome: 'success' }`.
 * Labels not given may be anything; 0 when no sample matches.
 */
export async function sampleValue(registry: Registry, sample: string, labels: Record<string, string>): Promise<number> {
  const text = await registry.metrics();
  const matching = text
    .split('\n')
    .filter((line) => line.startsWith(`${sample}{`))
    .filter((line) => Object.entries(labels).every(([name, value]) => line.includes(`${name}="${value}"`)));
  return matching.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
