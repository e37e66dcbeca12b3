/** The presets the `cron` package (behind `@nestjs/schedule`) accepts, as the expressions they stand for. */
const PRESETS: Record<string, string> = {
  '@yearly': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
  '@minutely': '0 * * * * *',
  '@secondly': '* * * * * *',
  '@weekdays': '0 0 0 * * 1-5',
  '@weekends': '0 0 0 * * 0,6',
};

/** Seconds, minutes, hours: each field's unit in milliseconds and how many values it has. */
const FIELDS = [
  { unitMs: 1_000, size: 60 },
  { unitMs: 60_000, size: 60 },
  { unitMs: 3_600_000, size: 24 },
] as const;

const DAY_MS = 86_400_000;

/**
 * The shortest time between two ticks of a cron expression, or less (never more); undefined when the
 * expression is not one this reads. The finest of the seconds, minutes and hours fields with more than
 * one value sets it: the smallest step between its values, or from its last value round to its first.
 * With all three fixed, a tick a day at most: a day (a change of daylight saving time aside).
 */
export function cronPeriodMs(expression: string): number | undefined {
  const source = PRESETS[expression.trim().toLowerCase()] ?? expression;
  const fields = source.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6) return undefined;
  // Five fields have no seconds: the tick is at second 0.
  const timeOfDay = fields.length === 6 ? fields.slice(0, 3) : ['0', ...fields.slice(0, 2)];
  for (const [index, { unitMs, size }] of FIELDS.entries()) {
    const values = fieldValues(timeOfDay[index]!, size);
    if (values === undefined) return undefined;
    if (values.length > 1) return smallestStep(values, size) * unitMs;
  }
  return DAY_MS;
}

/** The sorted values of one field (`*`, `5`, `1-5`, `*\/10`, `5/10`, `1-30/5` and lists of these), from 0 to size - 1. */
function fieldValues(field: string, size: number): number[] | undefined {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(?:(\*)|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (match === null) return undefined;
    const [, star, low, high, step] = match;
    const from = star === undefined ? Number(low) : 0;
    // `5/10` counts from 5 to the end of the field, as `cron` reads it; `5` alone is just 5.
    const to = star !== undefined || (high === undefined && step !== undefined) ? size - 1 : Number(high ?? low);
    const by = Number(step ?? 1);
    if (by === 0 || from > to || to >= size) return undefined;
    for (let value = from; value <= to; value += by) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

/** The smallest step between consecutive values, counting the wrap from the last round to the first. */
function smallestStep(values: number[], size: number): number {
  let smallest = values[0]! + size - values.at(-1)!;
  for (let index = 1; index < values.length; index += 1) smallest = Math.min(smallest, values[index]! - values[index - 1]!);
  return smallest;
}
