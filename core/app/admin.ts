import { decideAccount } from '../account/decide.js';
import type { AccountCommand } from '../account/commands.js';
import type { MfaRequirement } from '../account/events.js';
import type { Account } from '../account/state.js';
import { base32 } from '../base32.js';
import { DomainError } from '../errors.js';
import type { EventMeta } from '../event.js';
import { otpauthUri } from '../otpauth-uri.js';
import { importablePhc } from '../phc.js';
import { canonicalUsername, checkNewUsername } from '../username.js';
import { utf8Length } from '../utf8-length.js';
import type { Deps } from './deps.js';
import { otpOutcome, recoveryCodeDigest } from './otp-outcome.js';
import { transact } from './transact.js';

export interface NewUser {
  readonly username: string;
  readonly password?: string;
  /** An existing argon2id/argon2i PHC string (migration): accepted below the policy's cost, re-hashed at next login. */
  readonly passwordHash?: string;
  readonly roles?: readonly string[];
  readonly mfa?: MfaRequirement;
}

const checkPassword = (deps: Deps, password: string): void => {
  if (password.length < deps.policy.password.minLength) throw new DomainError('weak_password', `password must have at least ${deps.policy.password.minLength} characters`);
  if (utf8Length(password) > deps.policy.password.maxBytes) throw new DomainError('weak_password', `password must be at most ${deps.policy.password.maxBytes} bytes`);
};

export const accountNamed = async (deps: Deps, username: string): Promise<Account> => {
  const id = await deps.store.accountIdByUsername(canonicalUsername(username));
  const state = id === null ? null : (await deps.store.load('account', id)).state;
  if (state?.status !== 'registered') throw new DomainError('unknown_user', 'no such user');
  return state.account;
};

const run = (deps: Deps, meta: EventMeta, account: Account, command: (now: number) => AccountCommand) =>
  transact(deps, meta, (tx) => tx.decide('account', account.id, decideAccount(deps.policy), command(tx.now)));

export const registerUser = async (deps: Deps, user: NewUser, meta: EventMeta): Promise<{ id: string; username: string }> => {
  const name = checkNewUsername(user.username);
  if (!name.ok) throw new DomainError('invalid_request', name.reason);
  let passwordHash: string;
  if (user.passwordHash !== undefined) {
    if (!importablePhc(user.passwordHash)) throw new DomainError('unsupported_hash', 'password_hash must be an argon2id or argon2i PHC string');
    passwordHash = user.passwordHash;
  } else if (user.password !== undefined) {
    checkPassword(deps, user.password);
    passwordHash = await deps.hasher.hash(user.password);
  } else throw new DomainError('invalid_request', 'password or password_hash is required');
  if ((await deps.store.accountIdByUsername(name.username)) !== null) throw new DomainError('username_taken', 'username is taken');
  const id = deps.random.id();
  await transact(deps, meta, (tx) =>
    tx.decide('account', id, decideAccount(deps.policy), {
      type: 'Register',
      accountId: id,
      username: name.username,
      passwordHash,
      roles: user.roles ?? [],
      mfa: user.mfa ?? 'required',
      now: tx.now,
    }),
  );
  return { id, username: name.username };
};

export const changePassword = async (deps: Deps, username: string, password: string, meta: EventMeta): Promise<void> => {
  const account = await accountNamed(deps, username);
  checkPassword(deps, password);
  const passwordHash = await deps.hasher.hash(password);
  await run(deps, meta, account, (now) => ({ type: 'ChangePassword', passwordHash, now }));
};

/** Starts (or restarts) TOTP enrolment; the factor is pending until a first code confirms it. */
export const enrolTotp = async (deps: Deps, username: string, meta: EventMeta): Promise<{ secret: string; otpauthUri: string }> => {
  const account = await accountNamed(deps, username);
  const secret = base32(deps.random.bytes(20));
  const { algorithm, digits, periodSeconds: period } = deps.policy.totp;
  const params = { algorithm, digits, period };
  await run(deps, meta, account, (now) => ({ type: 'StartTotpEnrolment', sealedSecret: deps.box.seal(secret), params, now }));
  return { secret, otpauthUri: otpauthUri(deps.issuer, account.username, secret, params) };
};

/** True when the code matched and the factor is now active. */
export const confirmTotp = async (deps: Deps, username: string, otp: unknown, meta: EventMeta): Promise<boolean> => {
  const account = await accountNamed(deps, username);
  if (account.totp.status !== 'pending') throw new DomainError('factor_not_enrolled', 'no pending TOTP enrolment');
  const outcome = await otpOutcome(deps, account, otp, deps.clock.now());
  if (outcome.kind !== 'match') return false;
  const events = await run(deps, meta, account, (now) => ({ type: 'ConfirmTotp', otp: outcome, now }));
  return events.length > 0;
};

export const removeTotp = async (deps: Deps, username: string, meta: EventMeta): Promise<void> => {
  const account = await accountNamed(deps, username);
  await run(deps, meta, account, (now) => ({ type: 'RemoveTotp', now }));
};

/** Ten single-use codes, shown once and stored as keyed hashes; a new set replaces the old one. */
export const generateRecoveryCodes = async (deps: Deps, username: string, meta: EventMeta): Promise<string[]> => {
  const account = await accountNamed(deps, username);
  const codes = Array.from({ length: deps.policy.recovery.count }, () => base32(deps.random.bytes(7)).slice(0, 10).toLowerCase());
  const hashes = codes.map((c) => recoveryCodeDigest(deps, c));
  await run(deps, meta, account, (now) => ({ type: 'GenerateRecoveryCodes', hashes, now }));
  return codes.map((c) => `${c.slice(0, 5)}-${c.slice(5)}`);
};

export const unlockUser = async (deps: Deps, username: string, meta: EventMeta): Promise<void> => {
  const account = await accountNamed(deps, username);
  await run(deps, meta, account, (now) => ({ type: 'Unlock', now }));
};

export const setUserDisabled = async (deps: Deps, username: string, disabled: boolean, meta: EventMeta): Promise<void> => {
  const account = await accountNamed(deps, username);
  await run(deps, meta, account, (now) => ({ type: disabled ? 'Disable' : 'Enable', now }));
};
