import type { Clock } from '../../core/ports/clock.js';

/** A clock the test moves by hand (docs/style.md §6: time is an input). */
export class TestClock implements Clock {
  private t: number;
  constructor(t: number = Math.floor(Date.now() / 1000) * 1000) {
    this.t = t;
  }
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(ms: number): void {
    this.t = ms;
  }
}
