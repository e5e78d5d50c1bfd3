import type { Aal } from '../../account/events.js';
import { sessionAccepts } from '../../session/state.js';
import type { Deps } from '../kernel/deps.js';
import { type UserView, userView } from '../kernel/user-view.js';

export interface SessionView {
  readonly sessionId: string;
  readonly jti: string;
  readonly aal: Aal;
  /** Seconds since the epoch, as in the token. */
  readonly exp: number;
  readonly user: UserView;
  /** The API key the session was opened with, or null. */
  readonly apiKeyId: string | null;
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
  // A session opened with an API key lives only while the key does.
  if (session.apiKeyId !== null && !account.account.apiKeys.some((k) => k.id === session.apiKeyId)) return null;
  return { sessionId: claims.sid, jti: claims.jti, aal: claims.aal, exp: claims.exp, user: userView(account.account), apiKeyId: session.apiKeyId };
};
