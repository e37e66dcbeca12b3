import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { HealthProbe, TerminusSession } from './terminus-session.js';

/**
 * Terminus 12's `session.attempt(probe).withTimeout(timeoutMs)`, for Terminus 11, whose session has only
 * `up` and `down`: the probe gets a signal that aborts at the timeout; the result is up with the probe's
 * details, or down with its error's message or Terminus 12's `timeout of <ms>ms exceeded`, and either way
 * carries `responseTime`, as Terminus 12's does. It never rejects: Terminus 11 answers 500, not 503, for
 * an indicator that rejects with anything but its deprecated `HealthCheckError`.
 */
export async function timedAttempt<Key extends string>(
  session: TerminusSession<Key>,
  probe: HealthProbe,
  timeoutMs: number,
): Promise<HealthIndicatorResult<Key>> {
  const started = performance.now();
  const responseTime = (): number => Math.round(performance.now() - started);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    // The race, because a probe that ignores its signal must not hold the health check past the timeout.
    const details = await Promise.race([probe({ signal: controller.signal }), rejection(controller.signal)]);
    return session.up({ ...details, responseTime: responseTime() });
  } catch (error) {
    const message = controller.signal.aborted ? `timeout of ${timeoutMs}ms exceeded` : messageOf(error);
    return session.down({ message, responseTime: responseTime() });
  } finally {
    clearTimeout(timer);
    controller.abort(); // ends the probe's work, and settles `rejection` (the race has handled it)
  }
}

function rejection(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
