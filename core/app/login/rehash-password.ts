import type { Account } from '../../account/state.js';
import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';

/**
 * OWASP Password Storage: a hash below the policy's cost is replaced at the next successful login.
 * Best effort: an overloaded pool or a concurrent change just leaves it for the next login.
 */
export const rehashPassword = async (deps: Deps, account: Account, password: string, meta: EventMeta): Promise<void> => {
  try {
    const passwordHash = await deps.hasher.hash(password);
    await transact(deps, meta, (tx) => tx.decide('account', account.id, { type: 'RehashPassword', passwordHash, checkedHash: account.passwordHash, now: tx.now }));
  } catch {
    // Left for the next successful login.
  }
};
