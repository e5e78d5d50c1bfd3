export type ThrottleScope = 'ip' | 'account';

/**
 * Per-client and per-account failure budgets, checked before any argon2 work is queued. A success gives
 * its token back, so only failures drain a budget (an office behind one NAT at shift change is not throttled).
 */
export interface Throttle {
  /** 0 when admitted (a token was taken), else the seconds until one will be available. */
  take(scope: ThrottleScope, key: string, now: number): number;
  /** Gives back the token of an attempt that succeeded. */
  refund(scope: ThrottleScope, key: string, now: number): void;
}
