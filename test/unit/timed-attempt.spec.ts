import { timedAttempt } from '../../lib/health/timed-attempt.js';
import { Terminus11HealthIndicatorService } from '../support/terminus-11-service.js';

// The indicator's stand-in for Terminus 12's `attempt(...).withTimeout(...)` on Terminus 11, for what a
// real store cannot be made to do: ignore its abort signal, or reject with something other than an Error.
describe('timedAttempt (Terminus 11)', () => {
  const session = () => new Terminus11HealthIndicatorService().check('dynamodb');

  it("is up with the probe's details and the response time", async () => {
    const result = await timedAttempt(session(), async () => ({ table: 'kv' }), 1_000);
    expect(result).toEqual({ dynamodb: { status: 'up', table: 'kv', responseTime: expect.any(Number) } });
  });

  it("is down with the probe's error message, or the value it rejected with", async () => {
    expect(await timedAttempt(session(), () => Promise.reject(new Error('gone')), 1_000)).toEqual({
      dynamodb: { status: 'down', message: 'gone', responseTime: expect.any(Number) },
    });
    expect((await timedAttempt(session(), () => Promise.reject('plain'), 1_000)).dynamodb?.message).toBe('plain');
  });

  it('is down at the timeout, in Terminus 12 words, even when the probe ignores its signal', async () => {
    let signal: AbortSignal | undefined;
    const never = (options: { signal: AbortSignal }) => {
      signal = options.signal;
      return new Promise<never>(() => {});
    };
    const result = await timedAttempt(session(), never, 50);
    expect(result.dynamodb).toMatchObject({ status: 'down', message: 'timeout of 50ms exceeded' });
    expect(signal?.aborted).toBe(true);
  });
});
