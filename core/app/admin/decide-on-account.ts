import type { AccountCommand } from '../../account/commands.js';
import type { AccountEvent } from '../../account/events.js';
import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { accountNamed } from '../kernel/registered-account.js';
import { transact } from '../kernel/transact.js';

/** An admin command on the account a name refers to: the events it appended (none when it changed nothing). */
export const decideOnAccount = async (deps: Deps, username: string, meta: EventMeta, command: (now: number) => AccountCommand): Promise<readonly AccountEvent[]> => {
  const account = await accountNamed(deps, username);
  return transact(deps, meta, (tx) => tx.decide('account', account.id, command(tx.now)));
};
