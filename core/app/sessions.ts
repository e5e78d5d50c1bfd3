import type { Aal } from '../account/events.js';
import { isDomainError } from '../errors.js';
import type { EventMeta } from '../event.js';
import { decideSession } from '../session/decide.js';
import { sessionAccepts } from '../session/state.js';
import type { Deps } from './deps.js';
import { type IssuedToken, signToken, stageSession } from './issued-token.js';
import { transact } from './transact.js';
import { type UserView, userView } from './user-view.js';

/** A session that moved on between the check and the append is an invalid token; anything else propagates. */
const invalidTokenAs =
  <T>(value: T) =>
  (e: unknown): T => {
    if (isDomainError(e) && e.code === 'invalid_token') return value;
    throw e;
  };

export interface SessionView {
  readonly sessionId: string;
  readonly jti: string;
  readonly aal: Aal;
  /** Seconds since the epoch, as in the token. */
  readonly exp: number;
  readonly user: UserView;
}

/** A full access token: well signed, unexpired, the current jti of an active session of a live account. */
export const authenticate = async (deps: Deps, token: unknown): Promise<SessionView | null> => {
  if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return null;
  const now = deps.clock.now();
  const claims = await deps.signer.verify(token, now);
  if (claims === null) return null;
  const { state: session } = await deps.store.load('session', claims.sid);
  if (!sessionAccepts(session, claims.jti, now) || session.accountId !== claims.sub) return null;
  const { state: account } = await deps.store.load('account', claims.sub);
  if (account.status !== 'registered' || account.account.lock.status === 'disabled') return null;
  return { sessionId: claims.sid, jti: claims.jti, aal: claims.aal, exp: claims.exp, user: userView(account.account) };
};

/** A new token for the same session; the presented one stops working at once. */
export const refresh = async (deps: Deps, token: unknown, meta: EventMeta, ttlMs = deps.policy.session.ttlMs): Promise<IssuedToken | null> => {
  const current = await authenticate(deps, token);
  if (current === null) return null;
  const jti = deps.random.id();
  const pending = await transact(deps, meta, async (tx) => {
    await tx.decide('session', current.sessionId, decideSession, { type: 'Refresh', presentedJti: current.jti, jti, ttlMs, now: tx.now });
    return { sessionId: current.sessionId, accountId: current.user.id, jti, aal: current.aal, issuedAt: tx.now, expiresAt: tx.now + ttlMs };
  }).catch(invalidTokenAs(null));
  return pending === null ? null : signToken(deps, pending);
};

export const logout = async (deps: Deps, token: unknown, meta: EventMeta): Promise<boolean> => {
  const current = await authenticate(deps, token);
  if (current === null) return false;
  return transact(deps, meta, async (tx) => {
    await tx.decide('session', current.sessionId, decideSession, { type: 'Revoke', presentedJti: current.jti, reason: 'logout', now: tx.now });
    return true;
  }).catch(invalidTokenAs(false));
};

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
