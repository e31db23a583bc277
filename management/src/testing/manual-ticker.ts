// Test support: a Ticker that never fires by itself; tests call fire() and await the work of that tick (no sleeps).
import type { Ticker } from '../clock.js';

/** A manually fired ticker. */
export class ManualTicker implements Ticker {
  private readonly ticks = new Map<number, { intervalMs: number; tick: () => unknown }>();
  private next = 0;

  every(intervalMs: number, tick: () => unknown): () => void {
    const id = this.next++;
    this.ticks.set(id, { intervalMs, tick });
    return () => this.ticks.delete(id);
  }

  /** Intervals of the running tickers (to check configuration reached the timer). */
  intervals(): number[] {
    return [...this.ticks.values()].map((t) => t.intervalMs);
  }

  /** Fires every running ticker once and waits for what each tick started. */
  async fire(): Promise<void> {
    await Promise.all([...this.ticks.values()].map((t) => t.tick()));
  }
}
