import type { Account } from '../../account/state.js';
import type { Tx } from './tx.js';

/**
 * The account as this transaction leaves it, every event it staged folded in: what the success answer shows,
 * without a read after the commit (the transaction has read the account already).
 */
export const accountAsStaged = async (tx: Tx, account: Account): Promise<Account> => {
  const state = await tx.load('account', account.id);
  return state.status === 'registered' ? state.account : account;
};
