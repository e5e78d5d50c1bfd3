import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';
import { authenticate } from './authenticate.js';
import { invalidTokenAs } from './invalid-token-as.js';
import { type IssuedToken, signToken } from './issued-token.js';

/** A new token for the same session; the presented one stops working at once. */
export const refresh = async (deps: Deps, token: unknown, meta: EventMeta, ttlMs = deps.policy.session.ttlMs): Promise<IssuedToken | null> => {
  const current = await authenticate(deps, token);
  if (current === null) return null;
  const jti = deps.random.id();
  const pending = await transact(deps, meta, async (tx) => {
    await tx.decide('session', current.sessionId, { type: 'Refresh', presentedJti: current.jti, jti, ttlMs, now: tx.now });
    return { sessionId: current.sessionId, accountId: current.user.id, jti, aal: current.aal, issuedAt: tx.now, expiresAt: tx.now + ttlMs };
  }).catch(invalidTokenAs(null));
  return pending === null ? null : signToken(deps, pending);
};
