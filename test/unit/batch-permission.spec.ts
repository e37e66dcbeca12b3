import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { BATCH_DENIED_RETRY_MS, BatchPermission } from '../../lib/store/batching/batching-settings.js';

describe('BatchPermission', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('tries batches again after a denial (a role\'s permission may reach DynamoDB late), warning once per denial', () => {
    const logger = new Logger('test');
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const permission = new BatchPermission('BatchGetItem', 'gets go out one by one', logger, 'table');
    expect(permission.allowed).toBe(true);
    permission.deny();
    permission.deny();
    expect(permission.allowed).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(BATCH_DENIED_RETRY_MS - 1);
    expect(permission.allowed).toBe(false);
    jest.advanceTimersByTime(1);
    expect(permission.allowed).toBe(true);
    permission.deny();
    expect(warn).toHaveBeenCalledTimes(2);
  });
});
