import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';
import { authenticate } from './authenticate.js';
import { invalidTokenAs } from './invalid-token-as.js';

export const logout = async (deps: Deps, token: unknown, meta: EventMeta): Promise<boolean> => {
  const current = await authenticate(deps, token);
  if (current === null) return false;
  return transact(deps, meta, async (tx) => {
    await tx.decide('session', current.sessionId, { type: 'Revoke', presentedJti: current.jti, reason: 'logout', now: tx.now });
    return true;
  }).catch(invalidTokenAs(false));
};
