import type { Policy } from '../policy.js';

type Lockout = Policy['lockout'];

/** The what-if lockout as docs/api.md names its fields. */
export interface LockoutOverrides {
  readonly threshold?: number;
  readonly windowMs?: number;
  readonly baseMs?: number;
  readonly maxMs?: number;
  readonly hardLockAfter?: number;
}

export type LockoutField = keyof LockoutOverrides;

export type AlternativeLockout = { readonly ok: true; readonly lockout: Lockout } | { readonly ok: false; readonly field: LockoutField; readonly message: string };

const maxMs = 100 * 365 * 86_400_000;

/**
 * The policy to re-run history under: the actual lockout with the given fields replaced, refused when it could not
 * be a policy (policy.ts: at most 32 failures within the window, since an account remembers 32 failure times).
 */
export const alternativeLockout = (actual: Lockout, o: LockoutOverrides): AlternativeLockout => {
  const lockout: Lockout = {
    threshold: o.threshold ?? actual.threshold,
    windowMs: o.windowMs ?? actual.windowMs,
    baseLockMs: o.baseMs ?? actual.baseLockMs,
    maxLockMs: o.maxMs ?? actual.maxLockMs,
    hardLockAfter: o.hardLockAfter ?? actual.hardLockAfter,
  };
  const int = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!int(lockout.threshold, 1, 32)) return { ok: false, field: 'threshold', message: 'threshold must be an integer from 1 to 32' };
  if (!int(lockout.windowMs, 1, maxMs)) return { ok: false, field: 'windowMs', message: 'windowMs must be a positive duration' };
  if (!int(lockout.baseLockMs, 1, maxMs)) return { ok: false, field: 'baseMs', message: 'baseMs must be a positive duration' };
  if (!int(lockout.maxLockMs, lockout.baseLockMs, maxMs)) return { ok: false, field: 'maxMs', message: 'maxMs must be a duration no shorter than baseMs' };
  if (!int(lockout.hardLockAfter, 1, 1_000_000)) return { ok: false, field: 'hardLockAfter', message: 'hardLockAfter must be an integer from 1 to 1000000' };
  return { ok: true, lockout };
};
