import type { Dialect } from '../event.js';
import type { ThrottleScope } from '../ports/throttle.js';

/**
 * Attempts refused by a failure budget, aggregated: one event per key per minute at most, so a flood cannot grow the
 * log one row per request. `key` is the client address for `ip`, an HMAC of the canonical name for `account`
 * (a name may be a password typed in the wrong field); `*` stands for the keys past the tally's bound.
 */
export type ThrottleEvent = {
  type: 'ThrottleRefusals';
  data: { scope: ThrottleScope; key: string; count: number; first: number; last: number; dialects: readonly Dialect[] };
};
