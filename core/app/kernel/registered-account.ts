import type { Account } from '../../account/state.js';
import { DomainError } from '../../errors.js';
import { canonicalUsername } from '../../username.js';
import type { Deps } from './deps.js';
import type { Snapshot } from './tx.js';

/** The account a canonical username names, or null when there is none (or it is not registered). */
export const registeredAccount = async (deps: Deps, username: string): Promise<Account | null> => (await registeredAccountRead(deps, username))?.account ?? null;

/**
 * The same, with the read itself: the command that follows (after the slow crypto) starts its transaction from it
 * rather than reading the account again (see Tx's `known`: its version still guards the append).
 */
export const registeredAccountRead = async (deps: Deps, username: string): Promise<{ readonly account: Account; readonly read: Snapshot } | null> => {
  const found = await deps.store.accountByUsername(username);
  if (found === null) return null;
  const { id, loaded } = found;
  return loaded.state.status === 'registered' ? { account: loaded.state.account, read: { kind: 'account', id, loaded } } : null;
};

/** An admin's reference to an account by the name as typed: `unknown_user` when there is none. */
export const accountNamed = async (deps: Deps, username: string): Promise<Account> => {
  const account = await registeredAccount(deps, canonicalUsername(username));
  if (account === null) throw new DomainError('unknown_user', 'no such user');
  return account;
};
