import { jest } from '@jest/globals';
import { CronExpression } from '@nestjs/schedule';
import { cronPeriodMs } from '../../lib/coordination/exclusive/cron-period.js';
import { JobLog, REPEAT_INTERVAL_MS } from '../../lib/coordination/exclusive/job-log.js';
import { LogCapture } from '../support/log-capture.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('the shortest time between two ticks of a cron expression (for the default hold)', () => {
  it.each([
    [CronExpression.EVERY_SECOND, SECOND],
    [CronExpression.EVERY_5_SECONDS, 5 * SECOND],
    [CronExpression.EVERY_30_SECONDS, 30 * SECOND],
    [CronExpression.EVERY_MINUTE, MINUTE],
    [CronExpression.EVERY_10_MINUTES, 10 * MINUTE],
    [CronExpression.EVERY_HOUR, HOUR],
    [CronExpression.EVERY_2_HOURS, 2 * HOUR],
    [CronExpression.EVERY_DAY_AT_MIDNIGHT, DAY],
    [CronExpression.MONDAY_TO_FRIDAY_AT_9AM, DAY],
    [CronExpression.EVERY_WEEK, DAY], // a tick a day at most: never more than the true period
    ['*/7 * * * * *', 4 * SECOND], // 0, 7, ... 56, then 0 again 4 s later
    ['10,50 * * * * *', 20 * SECOND], // from 50 round to 10
    ['5/20 * * * * *', 20 * SECOND], // 5, 25, 45
    ['0 0-5 * * * *', MINUTE],
    ['0 0,30 9-17 * * 1-5', 30 * MINUTE],
    ['0 0 9,17 * * *', 8 * HOUR],
    ['0 0 */6 * * *', 6 * HOUR],
    ['* * * * *', MINUTE], // five fields: at second 0
    ['@hourly', HOUR],
    ['@secondly', SECOND],
    ['  0   */15 * * * *  ', 15 * MINUTE],
  ])('%j: %d ms', (expression, periodMs) => {
    expect(cronPeriodMs(expression)).toBe(periodMs);
  });

  it.each(['', 'every minute', '* * * *', '* * * * * * *', 'L * * * * *', '*/0 * * * * *', '61 * * * * *', '5-1 * * * * *', '0 0 25 * * *'])(
    'reads nothing from %j (the default applies)',
    (expression) => {
      expect(cronPeriodMs(expression)).toBeUndefined();
    },
  );
});

describe("a job's log lines while a failure repeats", () => {
  afterEach(() => jest.useRealTimers());

  it('logs one line per kind every 10 s at most, the next one counting those left out', () => {
    jest.useFakeTimers();
    const logs = new LogCapture();
    const log = new JobLog(logs);
    for (let tick = 0; tick < 3; tick += 1) log.failed('take', 'error', `failure ${tick}`);
    log.failed('extend', 'warn', 'another kind');
    jest.advanceTimersByTime(REPEAT_INTERVAL_MS - 1);
    log.failed('take', 'error', 'failure 3');
    jest.advanceTimersByTime(1);
    log.failed('take', 'error', 'failure 4');
    log.failed('take', 'error', 'failure 5');
    jest.advanceTimersByTime(REPEAT_INTERVAL_MS);
    log.failed('take', 'error', 'failure 6');
    expect(logs.lines.map(({ level, message }) => [level, message])).toEqual([
      ['error', 'failure 0'],
      ['warn', 'another kind'],
      ['error', 'failure 4 (3 more like it since the previous line were not logged.)'],
      ['error', 'failure 6 (1 more like it since the previous line were not logged.)'],
    ]);
  });
});
