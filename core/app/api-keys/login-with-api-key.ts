import type { EventMeta } from '../../event.js';
import { canonicalUsername } from '../../username.js';
import { accountAsStaged } from '../kernel/account-as-staged.js';
import { parseBearerSecret } from '../kernel/bearer-secret.js';
import type { Deps } from '../kernel/deps.js';
import { registeredAccount } from '../kernel/registered-account.js';
import { transact } from '../kernel/transact.js';
import { userView } from '../kernel/user-view.js';
import { admit, admitted } from '../login/admit.js';
import type { LoginResult } from '../login/login-result.js';
import { recordUnknownUser } from '../login/record-unknown-user.js';
import { signToken, stageSession } from '../sessions/issued-token.js';

export interface ApiKeyLoginInput {
  readonly username: string;
  readonly apiKey: unknown;
  readonly tokenTtlMs?: number;
}

const rejected: LoginResult = { kind: 'rejected' };

/**
 * A login by username and API key: the same per-client and per-account budgets as a password, the same
 * lockout (a wrong key is a counted failure), one answer for unknown user, wrong key and locked account.
 */
export const loginWithApiKey = async (deps: Deps, input: ApiKeyLoginInput, meta: EventMeta): Promise<LoginResult> => {
  const username = canonicalUsername(input.username);
  const admission = await admit(deps, username, true, meta);
  if (admission.kind === 'refused') return rejected;
  return admitted(admission, async () => {
    const account = await registeredAccount(deps, username);
    if (account === null) {
      await recordUnknownUser(deps, username, meta);
      return rejected;
    }
    const presented = parseBearerSecret(deps, input.apiKey);
    const key = presented === null ? undefined : account.apiKeys.find((k) => k.id === presented.id);
    // The key id is a public selector; only the digest comparison touches the secret, in constant time.
    const outcome = key !== undefined && presented !== null && deps.digest.same(key.hash, presented.hash) ? { kind: 'match' as const, keyId: key.id } : { kind: 'mismatch' as const };
    const ttlMs = input.tokenTtlMs ?? deps.policy.session.ttlMs;
    const pending = await transact(deps, meta, async (tx) => {
      const sessionId = deps.random.id();
      const events = await tx.decide('account', account.id, { type: 'CheckApiKey', outcome, sessionId, now: tx.now });
      const success = events.find((e) => e.type === 'LoginSucceeded');
      if (!success || outcome.kind !== 'match') return null;
      const session = stageSession(deps, tx, { accountId: account.id, ...success.data, dialect: meta.dialect, ttlMs, apiKeyId: outcome.keyId }, sessionId);
      return { session, user: userView(await accountAsStaged(tx, account)) };
    });
    if (pending === null) return rejected;
    const token = await signToken(deps, pending.session);
    return { kind: 'authenticated', user: pending.user, token, deviceToken: null };
  }, (r) => (r.kind === 'rejected' ? 'failure' : 'success'));
};
