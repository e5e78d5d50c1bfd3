import type { Aal, LoginMethod } from '../../account/events.js';
import type { Dialect } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import type { Tx } from '../kernel/tx.js';

export interface PendingToken {
  readonly sessionId: string;
  readonly accountId: string;
  readonly jti: string;
  readonly aal: Aal;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly aal: Aal;
  readonly sessionId: string;
}

/** Session fixation (docs/security.md §14): every successful final step mints a fresh session and jti. */
export const stageSession = (
  deps: Deps,
  tx: Tx,
  session: { accountId: string; aal: Aal; method: LoginMethod; dialect: Dialect; ttlMs: number; apiKeyId?: string },
  sessionId: string = deps.random.id(),
): PendingToken => {
  const jti = deps.random.id();
  tx.decideNew('session', sessionId, { type: 'Issue', sessionId, jti, now: tx.now, ...session });
  return { sessionId, jti, accountId: session.accountId, aal: session.aal, issuedAt: tx.now, expiresAt: tx.now + session.ttlMs };
};

/** Signed only after the session's event is committed: no token exists without its event. */
export const signToken = async (deps: Deps, t: PendingToken): Promise<IssuedToken> => {
  const iat = Math.floor(t.issuedAt / 1000);
  const exp = Math.floor(t.expiresAt / 1000);
  const accessToken = await deps.signer.sign({ sub: t.accountId, sid: t.sessionId, jti: t.jti, aal: t.aal, iat, exp });
  return { accessToken, expiresIn: exp - iat, aal: t.aal, sessionId: t.sessionId };
};
