import { DomainError } from '../../errors.js';
import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';

export type Verdict = 'success' | 'failure';

export type Admission = { readonly kind: 'refused' } | { readonly kind: 'admitted'; readonly settle: (verdict: Verdict) => Promise<void> };

/**
 * Budgets before any argon2 work (docs/security.md §21): the client address answers 429 + Retry-After when spent;
 * the account name's budget answers like a wrong password (docs/api.md: 429 is only the per-client throttle).
 * `accountBudget: false` for a live remembered device, so an attacker cannot spend it to lock the owner out.
 * An admitted attempt holds a token of each budget until `settle`: a failure keeps them spent, a success gives them
 * back (the Throttle port). Every refusal is counted in `deps.refusals`, and recorded aggregated (recordThrottleRefusals).
 */
export const admit = async (deps: Deps, username: string, accountBudget: boolean, meta: EventMeta): Promise<Admission> => {
  const ip = meta.ip ?? 'unknown';
  // Both budgets asked at once (on PostgreSQL, one statement and one round trip): an attempt one of them refuses
  // gives back what the other gave, so it ends as if asked one after the other, the address first.
  const [byIp, byAccount] = await Promise.allSettled([deps.throttle.take('ip', ip, deps.clock.now()), accountBudget ? deps.throttle.take('account', username, deps.clock.now()) : Promise.resolve(0)]);
  const holds = (r: PromiseSettledResult<number>) => r.status === 'fulfilled' && r.value === 0;
  if (byIp.status === 'rejected' || byIp.value > 0) {
    if (accountBudget && holds(byAccount)) await deps.throttle.refund('account', username, deps.clock.now());
    if (byIp.status === 'rejected') throw byIp.reason;
    deps.refusals.add('ip', ip, meta.dialect, deps.clock.now());
    throw new DomainError('throttled', 'too many attempts', byIp.value);
  }
  if (byAccount.status === 'rejected' || byAccount.value > 0) {
    await deps.throttle.refund('ip', ip, deps.clock.now());
    if (byAccount.status === 'rejected') throw byAccount.reason;
    deps.refusals.add('account', username, meta.dialect, deps.clock.now());
    return { kind: 'refused' };
  }
  return {
    kind: 'admitted',
    settle: async (verdict) => {
      const settle = verdict === 'success' ? deps.throttle.refund.bind(deps.throttle) : deps.throttle.spend.bind(deps.throttle);
      // Independent budgets: settled together (on PostgreSQL, one statement).
      await Promise.all([settle('ip', ip, deps.clock.now()), accountBudget ? settle('account', username, deps.clock.now()) : undefined]);
    },
  };
};

/**
 * Runs an admitted attempt and settles its tokens once: by `verdict` of its result, or as a success when it threw
 * (an attempt never judged — shed, storage unavailable, a bug — costs no budget).
 */
export const admitted = async <T>(admission: Extract<Admission, { kind: 'admitted' }>, attempt: () => Promise<T>, verdict: (result: T) => Verdict): Promise<T> => {
  let result: T;
  try {
    result = await attempt();
  } catch (err) {
    await admission.settle('success');
    throw err;
  }
  await admission.settle(verdict(result));
  return result;
};

/** A failure judged without an admission of its own (a token that names nothing): spends the address's budget, refuses nothing. */
export const spendAddressBudget = async (deps: Deps, meta: EventMeta): Promise<void> => {
  const ip = meta.ip ?? 'unknown';
  if ((await deps.throttle.take('ip', ip, deps.clock.now())) === 0) await deps.throttle.spend('ip', ip, deps.clock.now());
};
