import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { decideOnAccount } from '../admin/decide-on-account.js';

/** True when the key existed and is now revoked; an unknown key id changes nothing. */
export const revokeApiKey = async (deps: Deps, username: string, keyId: string, meta: EventMeta): Promise<boolean> => {
  const events = await decideOnAccount(deps, username, meta, (now) => ({ type: 'RevokeApiKey', keyId, now }));
  return events.length > 0;
};
