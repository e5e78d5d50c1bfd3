import type { EventMeta } from '../../event.js';
import { parseBearerSecret } from '../kernel/bearer-secret.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';
import { type UserView, userView } from '../kernel/user-view.js';
import { admit, admitted } from '../login/admit.js';
import { recordUnknownToken } from '../login/record-unknown-token.js';
import { type IssuedToken, signToken, stageSession } from './issued-token.js';

export interface TokenLogin {
  /** The connection's own session, opened by this login (its access token stays on the server). */
  readonly token: IssuedToken;
  readonly user: UserView;
}

/**
 * A TOKEN_PLAIN login with a token of `grantToken` (TrueNAS auth.generate_token), as middlewared's login_ex_token_plain:
 * the token must be known and unexpired, from its origin when it was bound to one, without attributes, and its account
 * live; a single-use token is then spent, any other one's ttl restarts. The login opens a session of its own at the
 * token's level. Recorded either way: on the token's stream (resumed, or refused and why), or under an HMAC of the
 * token when it names nothing of ours. A failure spends the client address's budget like a wrong password
 * (docs/security.md §21), which also bounds how fast such attempts can grow the log.
 */
export const loginWithToken = async (deps: Deps, token: unknown, meta: EventMeta): Promise<TokenLogin | null> => {
  const admission = await admit(deps, '', false, meta);
  if (admission.kind === 'refused') return null;
  return admitted(admission, async () => {
    const presented = parseBearerSecret(deps, token);
    const outcome = presented === null ? 'unknown' : await transact(deps, meta, async (tx) => {
      const granted = await tx.load('session', presented.id);
      if (granted.status === 'none') return 'unknown' as const;
      const account = await tx.load('account', granted.accountId);
      const accountActive = account.status === 'registered' && account.account.lock.status !== 'disabled';
      const tokenMatches = granted.status === 'token' && deps.digest.same(granted.tokenHash, presented.hash);
      const apiKeyId = granted.status === 'token' ? granted.apiKeyId : null;
      const keyLive = apiKeyId === null || (account.status === 'registered' && account.account.apiKeys.some((k) => k.id === apiKeyId));
      const [event] = await tx.decide('session', presented.id, { type: 'Resume', tokenMatches, address: meta.ip, accountActive, keyLive, now: tx.now });
      if (event?.type !== 'SessionResumed' || granted.status !== 'token' || account.status !== 'registered') return null;
      const opened = { accountId: granted.accountId, aal: granted.aal, method: 'token' as const, dialect: meta.dialect, ttlMs: deps.policy.session.ttlMs };
      const session = stageSession(deps, tx, apiKeyId === null ? opened : { ...opened, apiKeyId });
      return { session, user: userView(account.account) };
    });
    if (outcome === 'unknown') {
      await recordUnknownToken(deps, token, meta);
      return null;
    }
    if (outcome === null) return null;
    return { token: await signToken(deps, outcome.session), user: outcome.user };
  }, (login) => (login === null ? 'failure' : 'success'));
};
