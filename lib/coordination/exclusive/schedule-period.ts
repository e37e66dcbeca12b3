import { cronPeriodMs } from './cron-period.js';

/**
 * The metadata keys `@Cron` and `@Interval` of `@nestjs/schedule` put on a method, by their string
 * values: importing the package would load it into every app, and it is an optional peer.
 */
const CRON_OPTIONS = 'SCHEDULE_CRON_OPTIONS';
const INTERVAL_OPTIONS = 'SCHEDULE_INTERVAL_OPTIONS';

/**
 * The shortest time between two calls of `method` by its `@nestjs/schedule` schedule: its `@Cron`
 * expression's (see {@link cronPeriodMs}) or its `@Interval`'s; undefined without a schedule this reads
 * (none, `@Timeout`, a cron time given as a date).
 */
export function schedulePeriodMs(method: object): number | undefined {
  const cron: unknown = Reflect.getMetadata(CRON_OPTIONS, method);
  if (isObject(cron) && typeof cron.cronTime === 'string') return cronPeriodMs(cron.cronTime);
  const interval: unknown = Reflect.getMetadata(INTERVAL_OPTIONS, method);
  if (isObject(interval) && typeof interval.timeout === 'number' && interval.timeout > 0) return interval.timeout;
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}
