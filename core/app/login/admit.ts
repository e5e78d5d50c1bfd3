import { DomainError } from '../../errors.js';
import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';

export type Admission = { readonly kind: 'refused' } | { readonly kind: 'admitted'; readonly refund: () => void };

/**
 * Budgets before any argon2 work (docs/security.md §21): the client address answers 429 + Retry-After when spent;
 * the account name's budget answers like a wrong password (docs/api.md: 429 is only the per-client throttle).
 * `accountBudget: false` for a live remembered device, so an attacker cannot spend it to lock the owner out.
 * Every refusal is counted in `deps.refusals`, and recorded aggregated (recordThrottleRefusals).
 */
export const admit = (deps: Deps, username: string, accountBudget: boolean, meta: EventMeta): Admission => {
  const now = deps.clock.now();
  const ip = meta.ip ?? 'unknown';
  const wait = deps.throttle.take('ip', ip, now);
  if (wait > 0) {
    deps.refusals.add('ip', ip, meta.dialect, now);
    throw new DomainError('throttled', 'too many attempts', wait);
  }
  if (accountBudget && deps.throttle.take('account', username, now) > 0) {
    deps.throttle.refund('ip', ip, now);
    deps.refusals.add('account', username, meta.dialect, now);
    return { kind: 'refused' };
  }
  return {
    kind: 'admitted',
    refund: () => {
      deps.throttle.refund('ip', ip, deps.clock.now());
      if (accountBudget) deps.throttle.refund('account', username, deps.clock.now());
    },
  };
};

/** Runs an admitted attempt; one that was never judged (shed, storage unavailable, a bug) costs no budget. */
export const admitted = async <T>(admission: Extract<Admission, { kind: 'admitted' }>, attempt: () => Promise<T>): Promise<T> => {
  try {
    return await attempt();
  } catch (err) {
    admission.refund();
    throw err;
  }
};
