import { decideAccount } from '../account/decide.js';
import type { Account } from '../account/state.js';
import { DomainError } from '../errors.js';
import type { EventMeta } from '../event.js';
import { canonicalUsername } from '../username.js';
import { accountAsStaged } from './account-as-staged.js';
import { accountNamed } from './admin.js';
import { newBearerSecret, parseBearerSecret } from './bearer-secret.js';
import type { Deps } from './deps.js';
import { signToken, stageSession } from './issued-token.js';
import type { LoginResult } from './login-result.js';
import { admit } from './login.js';
import { recordUnknownUser } from './record-unknown-user.js';
import { transact } from './transact.js';
import { userView } from './user-view.js';

/**
 * API keys: high-entropy bearer secrets an admin issues to an account (TrueNAS `API_KEY_PLAIN`). A key is
 * `<keyId>.<256 random bits>`; the account stream keeps only its SHA-256, the key itself is shown once.
 * NIST SP 800-63B §5.1.2.2: a secret of at least 112 bits of entropy is stored with an approved one-way
 * function; the salted, costly hash (argon2) is for low-entropy memorized secrets, so a key check costs no
 * argon2 work and cannot become a CPU lever.
 */
export interface IssuedApiKey {
  readonly id: string;
  readonly key: string;
}

export interface ApiKeyLoginInput {
  readonly username: string;
  readonly apiKey: unknown;
  readonly tokenTtlMs?: number;
}

const maxNameLength = 64;
const forbidden = /[\p{Cc}\p{Cf}]/u;
const rejected: LoginResult = { kind: 'rejected' };

export const issueApiKey = async (deps: Deps, username: string, name: string | null, meta: EventMeta): Promise<IssuedApiKey> => {
  if (name !== null && (name.length === 0 || name.length > maxNameLength || forbidden.test(name))) {
    throw new DomainError('invalid_request', `name must be 1 to ${maxNameLength} printable characters`);
  }
  const account = await accountNamed(deps, username);
  const key = newBearerSecret(deps);
  await transact(deps, meta, (tx) =>
    tx.decide('account', account.id, decideAccount(deps.policy), { type: 'IssueApiKey', keyId: key.id, hash: key.hash, name, now: tx.now }),
  );
  return { id: key.id, key: key.token };
};

/** True when the key existed and is now revoked; an unknown key id changes nothing. */
export const revokeApiKey = async (deps: Deps, username: string, keyId: string, meta: EventMeta): Promise<boolean> => {
  const account = await accountNamed(deps, username);
  const events = await transact(deps, meta, (tx) =>
    tx.decide('account', account.id, decideAccount(deps.policy), { type: 'RevokeApiKey', keyId, now: tx.now }),
  );
  return events.length > 0;
};

const registeredAccount = async (deps: Deps, username: string): Promise<Account | null> => {
  const id = await deps.store.accountIdByUsername(username);
  if (id === null) return null;
  const { state } = await deps.store.load('account', id);
  return state.status === 'registered' ? state.account : null;
};

/**
 * A login by username and API key: the same per-client and per-account budgets as a password, the same
 * lockout (a wrong key is a counted failure), one answer for unknown user, wrong key and locked account.
 */
export const loginWithApiKey = async (deps: Deps, input: ApiKeyLoginInput, meta: EventMeta): Promise<LoginResult> => {
  const username = canonicalUsername(input.username);
  const admission = admit(deps, username, {}, meta);
  if (admission.kind === 'refused') return rejected;
  try {
    const account = await registeredAccount(deps, username);
    if (account === null) {
      await recordUnknownUser(deps, username, meta);
      return rejected;
    }
    const presented = parseBearerSecret(deps, input.apiKey);
    const key = presented === null ? undefined : (account.apiKeys ?? []).find((k) => k.id === presented.id);
    // The key id is a public selector; only the digest comparison touches the secret, in constant time.
    const outcome = key !== undefined && presented !== null && deps.digest.same(key.hash, presented.hash) ? { kind: 'match' as const, keyId: key.id } : { kind: 'mismatch' as const };
    const ttlMs = input.tokenTtlMs ?? deps.policy.session.ttlMs;
    const pending = await transact(deps, meta, async (tx) => {
      const events = await tx.decide('account', account.id, decideAccount(deps.policy), { type: 'CheckApiKey', outcome, now: tx.now });
      const success = events.find((e) => e.type === 'LoginSucceeded');
      if (!success) return null;
      const session = stageSession(deps, tx, { accountId: account.id, ...success.data, dialect: meta.dialect, ttlMs });
      return { session, user: userView(await accountAsStaged(tx, account)) };
    });
    if (pending === null) return rejected;
    const token = await signToken(deps, pending.session);
    admission.refund();
    return { kind: 'authenticated', user: pending.user, token, deviceToken: null };
  } catch (err) {
    // Shed or unavailable storage: the attempt was never judged, so it costs no budget (as in login).
    admission.refund();
    throw err;
  }
};
