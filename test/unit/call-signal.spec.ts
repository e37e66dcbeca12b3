import { describe, expect, it, jest } from '@jest/globals';
import { CallSignal, raceAbort } from '../../lib/client/call-signal.js';

describe('CallSignal', () => {
  it("aborts once: the reason kept, the handler's onabort and each listener called once", () => {
    const signal = new CallSignal();
    const onabort = jest.fn();
    const listener = jest.fn();
    signal.onabort = onabort;
    signal.onAbort(listener);
    signal.abort('first');
    signal.abort('second');
    expect(signal).toMatchObject({ aborted: true, reason: 'first' });
    expect(onabort).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('calls no listener that was stopped', () => {
    const signal = new CallSignal();
    const stopped = jest.fn();
    const kept = jest.fn();
    signal.onAbort(stopped)();
    signal.onAbort(kept);
    signal.abort('why');
    expect(stopped).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
  });

  it('gives a DOM signal that follows it, made before or after the abort', () => {
    const early = new CallSignal();
    const before = early.asAbortSignal();
    expect(before.aborted).toBe(false);
    early.abort('gone');
    expect(before).toMatchObject({ aborted: true, reason: 'gone' });
    const late = new CallSignal();
    late.abort('late');
    expect(late.asAbortSignal()).toMatchObject({ aborted: true, reason: 'late' });
    expect(late.asAbortSignal()).toBe(late.asAbortSignal());
  });
});

describe('raceAbort', () => {
  it('settles as the promise does while the signal holds, and stops listening', async () => {
    const signal = new CallSignal();
    const onAbort = signal.onAbort.bind(signal);
    const stops = jest.fn();
    jest.spyOn(signal, 'onAbort').mockImplementation((listener) => {
      const stop = onAbort(listener);
      return () => (stops(), stop());
    });
    await expect(raceAbort(Promise.resolve('answer'), signal, () => 'aborted')).resolves.toBe('answer');
    await expect(raceAbort(Promise.reject(new Error('failed')), signal, () => 'aborted')).rejects.toThrow('failed');
    expect(stops).toHaveBeenCalledTimes(2);
  });

  it('rejects at once when the signal aborts first, and when it had aborted already', async () => {
    const signal = new CallSignal();
    const pending = raceAbort(new Promise<never>(() => undefined), signal, () => new Error('aborted'));
    signal.abort('now');
    await expect(pending).rejects.toThrow('aborted');
    const unhandled = Promise.reject(new Error('ignored'));
    await expect(raceAbort(unhandled, signal, () => new Error('already aborted'))).rejects.toThrow('already aborted');
  });
});
