import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { decideOnAccount } from './decide-on-account.js';

export const unlockUser = async (deps: Deps, username: string, meta: EventMeta): Promise<void> => {
  await decideOnAccount(deps, username, meta, (now) => ({ type: 'Unlock', now }));
};

export const setUserDisabled = async (deps: Deps, username: string, disabled: boolean, meta: EventMeta): Promise<void> => {
  await decideOnAccount(deps, username, meta, (now) => ({ type: disabled ? 'Disable' : 'Enable', now }));
};
