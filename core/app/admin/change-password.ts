import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { accountNamed } from '../kernel/registered-account.js';
import { decideOnAccount } from './decide-on-account.js';
import { checkNewPassword } from './new-password.js';

export const changePassword = async (deps: Deps, username: string, password: string, meta: EventMeta): Promise<void> => {
  await accountNamed(deps, username);
  checkNewPassword(deps.policy, password);
  const passwordHash = await deps.hasher.hash(password);
  await decideOnAccount(deps, username, meta, (now) => ({ type: 'ChangePassword', passwordHash, now }));
};
