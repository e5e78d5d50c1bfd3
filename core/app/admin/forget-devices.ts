import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { decideOnAccount } from './decide-on-account.js';

/** `DELETE /v1/admin/users/:username/devices`: every remembered device of the account stops standing in for a code. */
export const forgetDevices = async (deps: Deps, username: string, meta: EventMeta): Promise<void> => {
  await decideOnAccount(deps, username, meta, (now) => ({ type: 'ForgetDevices', now }));
};
