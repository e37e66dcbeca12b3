/**
 * At most `limit` restarts in any `windowMs`: a worker that keeps dying (a bug, a bad deploy) is restarted
 * at a bounded rate instead of in a tight loop that would starve the workers still serving.
 */
export class RestartBudget {
  /** When each restart in the window happened or is due, in time order. */
  private readonly times: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Books the next restart and says how long it must wait (0: at once). */
  book(now: number): number {
    while (this.times.length > 0 && this.times[0]! <= now - this.windowMs) this.times.shift();
    const at = this.times.length < this.limit ? now : this.times[this.times.length - this.limit]! + this.windowMs;
    this.times.push(at);
    this.times.sort((first, second) => first - second);
    return at - now;
  }
}
