export type ThrottleScope = 'ip' | 'account';

/**
 * Per-client and per-account failure budgets, checked before any argon2 work is queued (docs/security.md §21).
 * An attempt holds one token while it is judged; a success (or an attempt never judged) gives it back, a failure
 * keeps it spent. So only failures drain a budget, and at most the budget's tokens are ever being judged at once.
 * When the budget is empty while attempts holding its tokens are still being judged, `take` waits for them rather
 * than refusing: many correct logins behind one address (a shift change behind a NAT) are queued, never refused.
 * Asynchronous because a cluster keeps the budgets in its shared database.
 */
export interface Throttle {
  /** 0 once a token is held, else the seconds until one will be (nothing held then). */
  take(scope: ThrottleScope, key: string, now: number): Promise<number>;
  /** Gives back the token of an attempt that succeeded or was never judged. */
  refund(scope: ThrottleScope, key: string, now: number): Promise<void>;
  /** The attempt holding a token was judged a failure: the token stays spent. */
  spend(scope: ThrottleScope, key: string, now: number): Promise<void>;
}
