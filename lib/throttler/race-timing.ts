/** The longest pause before trying again after a lost race. */
const MAX_BACKOFF_MS = 50;

/**
 * How long a key's reads and writes take (moving averages, per key while it is busy), for the two
 * decisions a lost race calls for: how long to pause before reading again, and whether a hit has time
 * left for one more write.
 */
export class RaceTiming {
  private readMs = 0;
  private writeMs = 0;

  constructor(private readonly timeoutMs: number) {}

  read(ms: number): void {
    this.readMs = this.readMs === 0 ? ms : 0.7 * this.readMs + 0.3 * ms;
  }

  write(ms: number): void {
    this.writeMs = this.writeMs === 0 ? ms : 0.7 * this.writeMs + 0.3 * ms;
  }

  /**
   * The pause after the `lost`-th lost race in a row: random ("full jitter") up to one read and write,
   * doubling with each loss, at most 50 ms, so that instances that collided spread out instead of
   * colliding again in step.
   */
  backoffMs(lost: number): number {
    const cycle = Math.max(1, this.readMs + this.writeMs);
    return Math.random() * Math.min(MAX_BACKOFF_MS, cycle * 2 ** Math.min(lost, 6));
  }

  /**
   * The budget a hit needs left to go into a write after a lost race: a quarter of the budget, or twice a
   * write when that is more, at most half the budget. One with less is answered from the record just
   * read, rather than running out during the write, where only the fail mode could answer it (and a write
   * that then loses its race would have let it through uncounted).
   */
  writeMarginMs(): number {
    return Math.min(this.timeoutMs / 2, Math.max(this.timeoutMs / 4, 2 * this.writeMs));
  }
}
