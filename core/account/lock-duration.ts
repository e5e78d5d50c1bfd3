import type { Policy } from '../policy.js';

/**
 * NIST SP 800-63B §5.2.2 asks for exponential back-off before the hard stop:
 * the threshold-th failure locks for `baseLockMs`, each further one doubles it, capped at `maxLockMs`.
 */
export const lockDuration = (failures: number, lockout: Policy['lockout']): number => {
  const doublings = Math.max(0, failures - lockout.threshold);
  return Math.min(lockout.baseLockMs * 2 ** Math.min(doublings, 30), lockout.maxLockMs);
};
