import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';
import { authenticate } from './authenticate.js';
import { type IssuedToken, signToken, stageSession } from './issued-token.js';

/**
 * A second, independent session for the holder of a full token (TrueNAS `auth.generate_token`): same account
 * and assurance level, its own jti and lifetime; logging out of either leaves the other alone.
 */
export const deriveToken = async (deps: Deps, token: unknown, meta: EventMeta, ttlMs: number): Promise<IssuedToken | null> => {
  const current = await authenticate(deps, token);
  if (current === null) return null;
  const pending = await transact(deps, meta, async (tx) =>
    stageSession(deps, tx, { accountId: current.user.id, aal: current.aal, method: 'token', dialect: meta.dialect, ttlMs }),
  );
  return signToken(deps, pending);
};
