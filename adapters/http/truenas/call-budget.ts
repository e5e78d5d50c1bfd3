/**
 * The unauthenticated-call cooldown of one connection, with middlewared's numbers (RateLimitConfig: 20 calls per
 * 60 s window, the window restarting once it has elapsed). Past the budget a call is answered with the
 * product's "Rate Limit Exceeded" without running; a client that keeps going to twice the budget is cut off.
 * It bounds what one connection can do; the engine's per-address and per-account throttles still bound a
 * client that opens many connections.
 */
export type BudgetVerdict = 'admitted' | 'refused' | 'exhausted';

export class CallBudget {
  private readonly maxCalls: number;
  private readonly periodMs: number;
  private windowStart = Number.NEGATIVE_INFINITY;
  private calls = 0;

  constructor(maxCalls = 20, periodMs = 60_000) {
    this.maxCalls = maxCalls;
    this.periodMs = periodMs;
  }

  take(now: number): BudgetVerdict {
    if (now - this.windowStart >= this.periodMs) {
      this.windowStart = now;
      this.calls = 0;
    }
    this.calls += 1;
    if (this.calls <= this.maxCalls) return 'admitted';
    return this.calls <= 2 * this.maxCalls ? 'refused' : 'exhausted';
  }
}
