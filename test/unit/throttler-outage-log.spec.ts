import { jest } from '@jest/globals';
import { OutageLog, requestsWere } from '../../lib/throttler/outage-log.js';
import { LogCapture } from '../support/log-capture.js';

describe("the throttler storage's warnings", () => {
  afterEach(() => jest.useRealTimers());

  it('come at most once per ten seconds, counting every request since by reason', () => {
    jest.useFakeTimers({ now: 0 });
    const logger = new LogCapture();
    const log = new OutageLog(logger, (count) => `Failing open: ${requestsWere(count)} let through`);
    log.report(1, 'KvUnavailableError: DynamoDB could not be reached.');
    log.report(3, 'The store did not answer within the 300 ms budget.');
    log.report(2, 'KvUnavailableError: DynamoDB could not be reached.');
    jest.advanceTimersByTime(10_000);
    log.report(1, 'The store did not answer within the 300 ms budget.');
    expect(logger.lines.map(({ level, message }) => [level, message])).toEqual([
      ['warn', 'Failing open: a request was let through. KvUnavailableError: DynamoDB could not be reached.'],
      [
        'warn',
        'Failing open: 6 requests were let through since the previous warning. ' +
          '4 × The store did not answer within the 300 ms budget. | 2 × KvUnavailableError: DynamoDB could not be reached.',
      ],
    ]);
  });
});
