import { decideAccount } from '../account/decide.js';
import type { AccountEvent } from '../account/events.js';
import type { Account } from '../account/state.js';
import { decideChallenge } from '../challenge/decide.js';
import { decideDevice } from '../device/decide.js';
import type { DeviceEvent } from '../device/events.js';
import { DomainError, isDomainError } from '../errors.js';
import type { EventMeta } from '../event.js';
import { needsRehash } from '../phc.js';
import { canonicalUsername } from '../username.js';
import { utf8Length } from '../utf8-length.js';
import { accountAsStaged } from './account-as-staged.js';
import { type BearerSecret, newBearerSecret, parseBearerSecret } from './bearer-secret.js';
import type { Deps } from './deps.js';
import { signToken, stageSession } from './issued-token.js';
import type { LoginResult } from './login-result.js';
import { otpOutcome } from './otp-outcome.js';
import { rehashPassword } from './rehash-password.js';
import { recordUnknownUser } from './record-unknown-user.js';
import { transact } from './transact.js';
import { userView } from './user-view.js';

export interface LoginInput {
  readonly username: string;
  readonly password: string;
  /** A TOTP or recovery code, as received: its shape is judged in core, never by the adapter. */
  readonly otp?: unknown;
  /** A remembered-device token (native `device_token`, myKaarma `userMFARememberMeToken`). */
  readonly deviceToken?: unknown;
  /** 'now' for one-step dialects: a missing code is then a counted failure (SECURITY.md 13). */
  readonly secondFactor: 'now' | 'later';
  readonly tokenTtlMs?: number;
}

const rejected: LoginResult = { kind: 'rejected' };
const succeeded = (events: readonly AccountEvent[]) => events.find((e) => e.type === 'LoginSucceeded');

const registeredAccount = async (deps: Deps, username: string): Promise<Account | null> => {
  const id = await deps.store.accountIdByUsername(username);
  if (id === null) return null;
  const { state } = await deps.store.load('account', id);
  return state.status === 'registered' ? state.account : null;
};

/** The first (or only) step: password, and a code or a remembered device when given. */
export const login = async (deps: Deps, input: LoginInput, meta: EventMeta): Promise<LoginResult> => {
  const username = canonicalUsername(input.username);
  // Only a live device of this account skips the account budget: a forged or rotated-out token must not (SECURITY.md 20).
  const admission = admit(deps, username, (await isLiveDevice(deps, username, input.deviceToken)) ? input : {}, meta);
  if (admission.kind === 'refused') return rejected;
  try {
    return await checkCredentials(deps, username, input, meta, admission.refund);
  } catch (err) {
    // Shed (overloaded), unavailable storage or a bug: the attempt was never judged, so it costs no budget.
    admission.refund();
    throw err;
  }
};

const checkCredentials = async (deps: Deps, username: string, input: LoginInput, meta: EventMeta, refund: () => void): Promise<LoginResult> => {
  // A full argon2 queue sheds this login anyway: say so before reading anything (shed answers must stay cheap).
  if (deps.hasher.saturated()) throw new DomainError('overloaded', 'the server is busy', 1);
  const account = await registeredAccount(deps, username);
  // NIST SP 800-63B §5.1.1.2: over-long passwords fail without hashing; everyone else costs one argon2 verify,
  // against a dummy hash when the user does not exist (OWASP: same time for unknown users).
  const tooLong = utf8Length(input.password) > deps.policy.password.maxBytes;
  const match = !tooLong && (await deps.hasher.verify(account?.passwordHash ?? null, input.password));
  if (account === null) {
    await recordUnknownUser(deps, username, meta);
    return rejected;
  }
  const otp = await otpOutcome(deps, account, input.otp, deps.clock.now());
  const device = match ? parseBearerSecret(deps, input.deviceToken) : null;
  const ttlMs = input.tokenTtlMs ?? deps.policy.session.ttlMs;

  let outcome;
  try {
    outcome = await transact(deps, meta, async (tx) => {
      const current = await tx.load('account', account.id);
      if (current.status !== 'registered') return { kind: 'rejected' as const };
      const { rotated, deviceEvents } = await presentDevice(deps, tx.now, device, current.account, (id) => tx.load('device', id));
      const events = await tx.decide('account', account.id, decideAccount(deps.policy), {
        type: 'CheckPassword',
        password: match ? 'match' : 'mismatch',
        checkedHash: account.passwordHash,
        otp,
        secondFactor: input.secondFactor,
        trustedDevice: rotated !== null,
        now: tx.now,
      });
      const success = succeeded(events);
      const byDevice = success?.data.method === 'password+device';
      // A valid device token rotates only when it was what let the user in; revocations are always kept.
      if (device && deviceEvents.length > 0 && (rotated === null || byDevice)) tx.stage('device', device.id, deviceEvents);
      if (success) {
        const pending = stageSession(deps, tx, { accountId: account.id, ...success.data, dialect: meta.dialect, ttlMs });
        return { kind: 'authenticated' as const, pending, deviceToken: byDevice ? rotated!.token : null, account: await accountAsStaged(tx, account) };
      }
      if (events.some((e) => e.type === 'PasswordAccepted')) {
        const challenge = newBearerSecret(deps);
        tx.decideNew('challenge', challenge.id, decideChallenge(deps.policy), {
          type: 'Issue',
          challengeId: challenge.id,
          accountId: account.id,
          tokenHash: challenge.hash,
          epoch: current.account.epoch,
          methods: userView(current.account).methods,
          dialect: meta.dialect,
          now: tx.now,
        });
        return { kind: 'mfa_required' as const, mfaToken: challenge.token, user: userView(current.account) };
      }
      return { kind: 'rejected' as const };
    });
  } catch (e) {
    // The password changed while it was being checked: the outcome is stale, so refuse (fail closed).
    if (isDomainError(e) && e.code === 'concurrency') return rejected;
    throw e;
  }

  switch (outcome.kind) {
    case 'rejected':
      return rejected;
    case 'mfa_required':
      refund();
      return { ...outcome, methods: outcome.user.methods, expiresIn: Math.floor(deps.policy.challenge.ttlMs / 1000) };
    case 'authenticated': {
      refund();
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

/**
 * Budgets before any argon2 work (SECURITY.md 21): the client address answers 429 + Retry-After when spent;
 * the account name's budget answers like a wrong password (API.md: 429 is only the per-client throttle).
 * A remembered device skips the account budget, so an attacker cannot spend it to lock the owner out.
 */
export const admit = (deps: Deps, username: string, input: Pick<LoginInput, 'deviceToken'>, meta: EventMeta) => {
  const now = deps.clock.now();
  const ip = meta.ip ?? 'unknown';
  const wait = deps.throttle.take('ip', ip, now);
  if (wait > 0) throw new DomainError('throttled', 'too many attempts', wait);
  const checkAccount = input.deviceToken === undefined || input.deviceToken === null;
  if (checkAccount && deps.throttle.take('account', username, now) > 0) {
    deps.throttle.refund('ip', ip, now);
    return { kind: 'refused' as const };
  }
  return {
    kind: 'admitted' as const,
    refund: () => {
      deps.throttle.refund('ip', ip, deps.clock.now());
      if (checkAccount) deps.throttle.refund('account', username, deps.clock.now());
    },
  };
};

/** Cheap reads, no argon2: the current token of an active, unexpired device of this very account, credentials unchanged. */
const isLiveDevice = async (deps: Deps, username: string, token: unknown): Promise<boolean> => {
  const bearer = parseBearerSecret(deps, token);
  if (bearer === null) return false;
  const { state: device } = await deps.store.load('device', bearer.id);
  if (device.status !== 'active' || deps.clock.now() >= device.expiresAt || !deps.digest.same(device.validatorHash, bearer.hash)) return false;
  if (device.accountId !== (await deps.store.accountIdByUsername(username))) return false;
  const { state: account } = await deps.store.load('account', device.accountId);
  return account.status === 'registered' && (account.account.credentials ?? 0) === device.epoch;
};

/** A device token only counts after the password matched, so a thief without it cannot burn the owner's series. */
const presentDevice = async (
  deps: Deps,
  now: number,
  device: BearerSecret | null,
  account: Account,
  load: (id: string) => Promise<import('../device/state.js').DeviceState>,
): Promise<{ rotated: BearerSecret | null; deviceEvents: readonly DeviceEvent[] }> => {
  if (device === null) return { rotated: null, deviceEvents: [] };
  const next = newBearerSecret(deps, device.id);
  const deviceEvents = decideDevice(
    { type: 'Use', accountId: account.id, presentedHash: device.hash, newValidatorHash: next.hash, accountEpoch: account.credentials ?? 0, now },
    await load(device.id),
  );
  return { rotated: deviceEvents[0]?.type === 'DeviceRotated' ? next : null, deviceEvents };
};
