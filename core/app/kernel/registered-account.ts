import type { Account } from '../../account/state.js';
import { DomainError } from '../../errors.js';
import { canonicalUsername } from '../../username.js';
import type { Deps } from './deps.js';

/** The account a canonical username names, or null when there is none (or it is not registered). */
export const registeredAccount = async (deps: Deps, username: string): Promise<Account | null> => {
  const id = await deps.store.accountIdByUsername(username);
  if (id === null) return null;
  const { state } = await deps.store.load('account', id);
  return state.status === 'registered' ? state.account : null;
};

/** An admin's reference to an account by the name as typed: `unknown_user` when there is none. */
export const accountNamed = async (deps: Deps, username: string): Promise<Account> => {
  const account = await registeredAccount(deps, canonicalUsername(username));
  if (account === null) throw new DomainError('unknown_user', 'no such user');
  return account;
};
