import { HealthIndicatorService } from '@nestjs/terminus';
import type { HealthDetails, TerminusHealthIndicatorService, TerminusSession } from '../../lib/health/terminus-session.js';

/**
 * Terminus 11's `HealthIndicatorService` as the indicator meets it: `check(key)` returns a session with `up`
 * and `down` and nothing else (no `attempt`, which Terminus 12 added). The results are made by Terminus 12's
 * session, whose `up` and `down` build the same objects as 11's; this repository installs only Terminus 12
 * (Terminus 11 needs Nest 11), and the real Terminus 11 runs in the Nest 11 consumer app.
 */
export class Terminus11HealthIndicatorService implements TerminusHealthIndicatorService {
  private readonly terminus12 = new HealthIndicatorService();

  check<const Key extends string>(key: Key): TerminusSession<Key> {
    const session = this.terminus12.check(key);
    return { up: (data: HealthDetails) => session.up(data), down: (data: HealthDetails) => session.down(data) };
  }
}
