import type { Clock } from '../../core/ports/clock.js';

/** A clock the test moves by hand (docs/style.md §6: time is an input). */
export class TestClock implements Clock {
  private t: number;
  /** Every wait asked of `sleep`, in order. */
  readonly slept: number[] = [];
  constructor(t: number = Math.floor(Date.now() / 1000) * 1000) {
    this.t = t;
  }
  now(): number {
    return this.t;
  }
  /**
   * Records the wait and lets other work run (one turn of the event loop), but the time stands still: only the test
   * moves it, so a test that froze the clock keeps it frozen even when a request lost a race and backed off.
   */
  sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    return new Promise((resolve) => setImmediate(resolve));
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(ms: number): void {
    this.t = ms;
  }
}
