import { DomainError, isDomainError } from '../../errors.js';
import type { EventMeta } from '../../event.js';
import { needsRehash } from '../../phc.js';
import { utf8Length } from '../../utf8-length.js';
import { parseBearerSecret } from '../kernel/bearer-secret.js';
import type { Deps } from '../kernel/deps.js';
import { otpOutcome } from '../kernel/otp-outcome.js';
import { registeredAccountRead } from '../kernel/registered-account.js';
import { transact } from '../kernel/transact.js';
import { userView } from '../kernel/user-view.js';
import { signToken } from '../sessions/issued-token.js';
import type { LoginInput } from './login.js';
import type { LoginResult } from './login-result.js';
import { type PasswordCheck, type PasswordStepOutcome, passwordStep } from './password-step.js';
import { recordUnknownUser } from './record-unknown-user.js';
import { refuseLogin } from './refuse-login.js';
import { rehashPassword } from './rehash-password.js';

/** The crypto first (argon2, TOTP), then one transaction, then the answer. */
export const checkCredentials = async (deps: Deps, username: string, input: LoginInput, meta: EventMeta): Promise<LoginResult> => {
  // A full argon2 queue sheds this login anyway: say so before reading anything (shed answers must stay cheap).
  if (deps.hasher.saturated()) throw new DomainError('overloaded', 'the server is busy', 1);
  const found = await registeredAccountRead(deps, username);
  const account = found?.account ?? null;
  // NIST SP 800-63B §5.1.1.2: over-long passwords fail without hashing; everyone else costs one argon2 verify,
  // against a dummy hash when the user does not exist (OWASP: same time for unknown users).
  const tooLong = utf8Length(input.password) > deps.policy.password.maxBytes;
  const match = !tooLong && (await deps.hasher.verify(account?.passwordHash ?? null, input.password));
  if (account === null) {
    await recordUnknownUser(deps, username, meta);
    return { kind: 'rejected' };
  }
  const check: PasswordCheck = {
    account,
    match,
    otp: await otpOutcome(deps, account, input.otp, deps.clock.now()),
    device: match ? parseBearerSecret(deps, input.deviceToken) : null,
    ttlMs: input.tokenTtlMs ?? deps.policy.session.ttlMs,
  };
  let outcome: PasswordStepOutcome;
  try {
    // From the read above (a change meanwhile fails the append's version check; the retry reads afresh).
    outcome = await transact(deps, meta, (tx) => passwordStep(deps, tx, check, input, meta.dialect), found === null ? [] : [found.read]);
  } catch (e) {
    // Lost every race, or checked against a password that changed meanwhile: refused (fail closed), and recorded.
    if (isDomainError(e) && (e.code === 'stream_moved' || e.code === 'stale_check')) {
      await refuseLogin(deps, account.id, e.code === 'stream_moved' ? 'contention' : 'credentials_changed', meta);
      return { kind: 'rejected' };
    }
    throw e;
  }
  switch (outcome.kind) {
    case 'rejected':
      return outcome;
    case 'mfa_required':
      return { ...outcome, methods: outcome.user.methods, expiresIn: Math.floor(deps.policy.challenge.ttlMs / 1000) };
    case 'authenticated': {
      const token = await signToken(deps, outcome.pending);
      if (needsRehash(account.passwordHash, deps.policy)) await rehashPassword(deps, account, input.password, meta);
      // A rehash changes nothing the user view shows.
      return { kind: 'authenticated', user: userView(outcome.account), token, deviceToken: outcome.deviceToken };
    }
    default: {
      const _exhaustive: never = outcome;
      return _exhaustive;
    }
  }
};
