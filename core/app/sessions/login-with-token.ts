import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';
import { userView } from '../kernel/user-view.js';
import { admit, admitted } from '../login/admit.js';
import { recordUnknownToken } from '../login/record-unknown-token.js';
import type { SessionView } from './authenticate.js';

/**
 * A login with an access token (TrueNAS TOKEN_PLAIN): the token must be one `authenticate` accepts, and the attempt is
 * recorded either way — on the session's stream (resumed, or refused and why), or under an HMAC of the token when it
 * names no session of ours. A failure spends the client address's budget like a wrong password (docs/security.md §21),
 * which also bounds how fast such attempts can grow the log.
 */
export const loginWithToken = async (deps: Deps, token: unknown, meta: EventMeta): Promise<SessionView | null> => {
  const admission = await admit(deps, '', false, meta);
  if (admission.kind === 'refused') return null;
  return admitted(admission, async () => {
    const now = deps.clock.now();
    const claims = typeof token === 'string' && token.length > 0 && token.length <= 4096 ? await deps.signer.verify(token, now) : null;
    if (claims === null) {
      await recordUnknownToken(deps, token, meta);
      return null;
    }
    const view = await transact(deps, meta, async (tx) => {
      const account = await tx.load('account', claims.sub);
      const session = await tx.load('session', claims.sid);
      const live = account.status === 'registered' && account.account.lock.status !== 'disabled';
      // A session opened with an API key lives only while the key does (authenticate).
      const keyLive = session.status !== 'active' || session.apiKeyId === null || (account.status === 'registered' && account.account.apiKeys.some((k) => k.id === session.apiKeyId));
      const [event] = await tx.decide('session', claims.sid, { type: 'Resume', presentedJti: claims.jti, accountId: claims.sub, accountActive: live && keyLive, now: tx.now });
      if (event?.type !== 'SessionResumed' || account.status !== 'registered') return null;
      return { sessionId: claims.sid, jti: claims.jti, aal: claims.aal, exp: claims.exp, user: userView(account.account) };
    });
    return view;
  }, (view) => (view === null ? 'failure' : 'success'));
};
