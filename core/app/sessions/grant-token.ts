import type { EventMeta } from '../../event.js';
import { newBearerSecret } from '../kernel/bearer-secret.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';
import { authenticate } from './authenticate.js';

export interface TokenGrant {
  /** How long the token stays good unused, in ms; each TOKEN_PLAIN login with it starts it again. */
  readonly ttlMs: number;
  /** The only client address it is good from, or null for any. */
  readonly origin: string | null;
  readonly singleUse: boolean;
  /** It was given attributes: the product keeps such tokens for other purposes, and refuses them for a login. */
  readonly restricted: boolean;
}

/**
 * TrueNAS `auth.generate_token` for the holder of a full access token: an opaque token (`<id>.<secret>`, only its
 * hash stored) for TOKEN_PLAIN logins as its account at the holder's level. It is not an access token: no session
 * route takes it as a bearer, as in the product, where such tokens serve only TOKEN_PLAIN (and downloads).
 */
export const grantToken = async (deps: Deps, accessToken: unknown, grant: TokenGrant, meta: EventMeta): Promise<string | null> => {
  const holder = await authenticate(deps, accessToken);
  if (holder === null) return null;
  const secret = newBearerSecret(deps);
  await transact(deps, meta, async (tx) => {
    tx.decideNew('session', secret.id, {
      type: 'Grant',
      sessionId: secret.id,
      accountId: holder.user.id,
      aal: holder.aal,
      tokenHash: secret.hash,
      ...grant,
      dialect: meta.dialect,
      apiKeyId: holder.apiKeyId,
      now: tx.now,
    });
  });
  return secret.token;
};
