/**
 * A small seeded generator (mulberry32): the same seed gives the same numbers on every machine, so that a
 * randomized test replays from the seed it prints. Not for anything that needs real randomness.
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('SeededRandom.pick: nothing to pick from.');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Some of `items` (each kept with `probability`), in their order. */
  subset<T>(items: readonly T[], probability: number): T[] {
    return items.filter(() => this.chance(probability));
  }

  /** An independent generator for one part of a test (a client, say), the same for the same seed and label. */
  fork(label: number): SeededRandom {
    return new SeededRandom(mixSeeds(this.seed, label));
  }
}

/** A seed derived from two numbers: the n-th seed after a base one, spread so that neighbours differ. */
export function mixSeeds(base: number, n: number): number {
  let h = (base ^ Math.imul(n + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
