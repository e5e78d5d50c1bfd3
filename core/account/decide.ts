import { DomainError } from '../errors.js';
import type { Policy } from '../policy.js';
import type { AccountCommand, OtpOutcome } from './commands.js';
import type { AccountEvent, OtpRejection } from './events.js';
import { decideDelivery, isLive } from '../mail/mailed-code.js';
import { sendsWithinHour } from '../mail/send-window.js';
import { lockDuration } from './lock-duration.js';
import { type Account, type AccountState, lockStatusAt } from './state.js';

const registered = (state: AccountState): Account => {
  if (state.status !== 'registered') throw new DomainError('unknown_user');
  return state.account;
};

/**
 * A failed check is an event, and so is the lock it triggers (Zitadel appends both together). The hard stop counts
 * every consecutive failure (NIST SP 800-63B §5.2.2: at most 100); a timed lock needs `threshold` of them within
 * `windowMs`, so failures spread outside the window do not lock (docs/security.md §17).
 */
const recentFailures = (a: Account, now: number, policy: Policy): number =>
  a.recentFailures.filter((t) => now - t < policy.lockout.windowMs).length;

const failure = (a: Account, event: 'password' | 'api_key' | OtpRejection, now: number, policy: Policy): AccountEvent[] => {
  const failures = a.failures + 1;
  const events: AccountEvent[] = [
    event === 'password'
      ? { type: 'PasswordRejected', data: { failures } }
      : event === 'api_key'
        ? { type: 'ApiKeyRejected', data: { failures } }
        : { type: 'OtpRejected', data: { reason: event, failures } },
  ];
  if (failures >= policy.lockout.hardLockAfter) events.push({ type: 'AccountHardLocked', data: { failures } });
  else if (recentFailures(a, now, policy) + 1 >= policy.lockout.threshold) {
    events.push({ type: 'AccountLocked', data: { until: now + lockDuration(failures, policy.lockout), failures } });
  }
  return events;
};

/** RFC 6238 §5.2: a code for a step at or before the last accepted one is a replay. */
const secondFactor = (a: Account, otp: OtpOutcome, now: number, policy: Policy): AccountEvent[] => {
  switch (otp.kind) {
    case 'absent':
      return failure(a, 'missing', now, policy);
    case 'malformed':
      return failure(a, 'malformed', now, policy);
    case 'mismatch':
      return failure(a, 'invalid', now, policy);
    case 'match':
      if (a.totp.status !== 'active') return failure(a, 'invalid', now, policy);
      if (a.lastTotpStep !== null && otp.step <= a.lastTotpStep) return failure(a, 'replayed', now, policy);
      return [
        { type: 'OtpAccepted', data: { step: otp.step } },
        { type: 'LoginSucceeded', data: { aal: 'aal2', method: 'password+totp' } },
      ];
    case 'recovery':
      if (a.recovery[otp.index] !== otp.hash) return failure(a, 'invalid', now, policy);
      return [
        { type: 'RecoveryCodeUsed', data: { index: otp.index } },
        { type: 'LoginSucceeded', data: { aal: 'aal2', method: 'password+recovery' } },
      ];
    case 'email':
      // Single use and replay are the challenge's: its code dies with it (ChallengeCompleted). An address removed
      // since the code was sent no longer stands for this account.
      if (a.email.address === null) return failure(a, 'invalid', now, policy);
      return [{ type: 'LoginSucceeded', data: { aal: 'aal2', method: 'password+email' } }];
    default: {
      const _exhaustive: never = otp;
      return _exhaustive;
    }
  }
};

const hasSecondFactor = (a: Account): boolean => a.totp.status === 'active' || a.email.address !== null || a.recovery.some((h) => h !== null);

export const decideAccount = (command: AccountCommand, state: AccountState, policy: Policy): readonly AccountEvent[] => {
  switch (command.type) {
    case 'Register': {
      if (state.status === 'registered') throw new DomainError('username_taken');
      const { accountId, username, passwordHash, roles, mfa } = command;
      return [{ type: 'AccountRegistered', data: { accountId, username, passwordHash, roles, mfa } }];
    }
    case 'ChangePassword':
      registered(state);
      return [{ type: 'PasswordChanged', data: { passwordHash: command.passwordHash } }];
    case 'RehashPassword': {
      const a = registered(state);
      return a.passwordHash === command.checkedHash ? [{ type: 'PasswordRehashed', data: { passwordHash: command.passwordHash } }] : [];
    }
    case 'StartTotpEnrolment': {
      const a = registered(state);
      if (a.totp.status === 'active') throw new DomainError('factor_already_active');
      return [{ type: 'TotpEnrolmentStarted', data: { sealedSecret: command.sealedSecret, ...command.params } }];
    }
    case 'ConfirmTotp': {
      const a = registered(state);
      if (a.totp.status !== 'pending') throw new DomainError('factor_not_enrolled');
      // The confirming code is an accepted step: it cannot be replayed at the first login.
      return command.otp.kind === 'match' ? [{ type: 'TotpConfirmed', data: { step: command.otp.step } }] : [];
    }
    case 'RemoveTotp': {
      const a = registered(state);
      return a.totp.status === 'none' ? [] : [{ type: 'TotpRemoved', data: {} }];
    }
    case 'GenerateRecoveryCodes':
      registered(state);
      return [{ type: 'RecoveryCodesGenerated', data: { hashes: command.hashes } }];
    case 'CheckPassword': {
      const a = registered(state);
      if (a.passwordHash !== command.checkedHash) throw new DomainError('stale_check', 'password changed during the check');
      const lock = lockStatusAt(a.lock, command.now);
      // Attempts during a lock are recorded but never counted: they must not extend it (NIST SP 800-63B §5.2.2).
      if (lock === 'disabled' || lock === 'hard_locked') return [{ type: 'LoginRefused', data: { reason: lock } }];
      if (lock === 'locked' && !(command.trustedDevice && command.password === 'match')) {
        return [{ type: 'LoginRefused', data: { reason: 'locked' } }];
      }
      if (command.password === 'mismatch') return failure(a, 'password', command.now, policy);
      if (a.mfa === 'exempt') return [{ type: 'LoginSucceeded', data: { aal: 'aal1', method: 'password' } }];
      if (!hasSecondFactor(a)) return [{ type: 'LoginRefused', data: { reason: 'no_factor' } }];
      if (command.trustedDevice) return [{ type: 'LoginSucceeded', data: { aal: 'aal2', method: 'password+device' } }];
      if (command.secondFactor === 'later' && command.otp.kind === 'absent') return [{ type: 'PasswordAccepted', data: {} }];
      return secondFactor(a, command.otp, command.now, policy);
    }
    case 'CheckSecondFactor': {
      const a = registered(state);
      const lock = lockStatusAt(a.lock, command.now);
      if (lock !== 'open') return [{ type: 'LoginRefused', data: { reason: lock } }];
      return secondFactor(a, command.otp, command.now, policy);
    }
    case 'IssueApiKey': {
      const a = registered(state);
      if (a.apiKeys.some((k) => k.id === command.keyId)) throw new DomainError('id_collision', 'api key id reused');
      const { keyId, hash, name } = command;
      return [{ type: 'ApiKeyIssued', data: { keyId, hash, ...(name === null ? {} : { name }) } }];
    }
    case 'RevokeApiKey': {
      const a = registered(state);
      return a.apiKeys.some((k) => k.id === command.keyId) ? [{ type: 'ApiKeyRevoked', data: { keyId: command.keyId } }] : [];
    }
    case 'CheckApiKey': {
      const a = registered(state);
      const lock = lockStatusAt(a.lock, command.now);
      // As for a password: attempts during a lock are recorded, never counted (NIST SP 800-63B §5.2.2).
      if (lock !== 'open') return [{ type: 'LoginRefused', data: { reason: lock } }];
      const { outcome } = command;
      // A key revoked between the hash check and now no longer matches.
      if (outcome.kind === 'mismatch' || !a.apiKeys.some((k) => k.id === outcome.keyId)) return failure(a, 'api_key', command.now, policy);
      // A key stands in for the account's owner without a second factor: one factor, aal1 (NIST SP 800-63B §4.1).
      return [
        { type: 'LoginSucceeded', data: { aal: 'aal1', method: 'api_key' } },
        { type: 'ApiKeyUsed', data: { keyId: outcome.keyId, sessionId: command.sessionId } },
      ];
    }
    case 'ForgetDevices':
      registered(state);
      return [{ type: 'DevicesForgotten', data: {} }];
    case 'RecordRefusal':
      registered(state);
      return [{ type: 'LoginRefused', data: { reason: command.reason } }];
    case 'StartEmailVerification': {
      registered(state);
      const { address, codeId, codeMac, expiresAt, outbox } = command;
      return [{ type: 'EmailVerificationStarted', data: { address, codeId, codeMac, expiresAt, outbox } }];
    }
    case 'ConfirmEmail': {
      const a = registered(state);
      const pending = a.email.verification;
      if (pending === null || pending.codeId !== command.codeId || !isLive(pending, command.now)) throw new DomainError('factor_not_enrolled', 'no pending e-mail verification');
      return command.outcome === 'match' ? [{ type: 'EmailConfirmed', data: { codeId: command.codeId } }] : [];
    }
    case 'RemoveEmail': {
      const a = registered(state);
      return a.email.address === null && a.email.verification === null ? [] : [{ type: 'EmailRemoved', data: {} }];
    }
    case 'CountEmailSend': {
      const a = registered(state);
      return sendsWithinHour(a.email.sends, command.now) >= policy.email.perAccountPerHour ? [] : [{ type: 'EmailCodeRequested', data: { challengeId: command.challengeId } }];
    }
    case 'RecordEmailDelivery':
      return decideDelivery(registered(state).email.verification, command.codeId, command.outcome);
    case 'Unlock': {
      const a = registered(state);
      return a.lock.status === 'disabled' || (a.lock.status === 'open' && a.failures === 0) ? [] : [{ type: 'AccountUnlocked', data: {} }];
    }
    case 'Disable': {
      const a = registered(state);
      return a.lock.status === 'disabled' ? [] : [{ type: 'AccountDisabled', data: {} }];
    }
    case 'Enable': {
      const a = registered(state);
      return a.lock.status === 'disabled' ? [{ type: 'AccountEnabled', data: {} }] : [];
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
};
