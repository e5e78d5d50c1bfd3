import type { AccountCommand, OtpOutcome } from '../account/commands.js';
import type { AccountEvent } from '../account/events.js';
import type { Account } from '../account/state.js';
import type { StoredEvent } from '../event.js';

/**
 * The credential attempt one recorded command made, rebuilt from its account events with the crypto outcome it
 * recorded (docs/style.md §7: `decide` only ever saw outcomes, so the outcome is all there is to replay), for the
 * account as `account` stands now. `secondStep`: the same command recorded an attempt on a challenge (only
 * attemptSecondStep does that). Null when the group is not an attempt this can rebuild.
 *
 * - PasswordRejected → CheckPassword mismatch (the password is judged before any code).
 * - PasswordAccepted → CheckPassword match, second factor 'later', no code.
 * - LoginSucceeded password → CheckPassword match (an mfa-exempt account needs nothing else);
 *   password+device → CheckPassword match with a trusted device.
 * - OtpAccepted{step} / RecoveryCodeUsed{index} / OtpRejected{reason} → the code's outcome: match at that step,
 *   that recovery code (its hash as the account holds it now), or from the reason (missing → absent, malformed →
 *   malformed, invalid → mismatch, replayed → match at the account's last accepted step, so `decide` sees the
 *   replay). On a challenge: CheckSecondFactor; otherwise a one-step CheckPassword match with the code 'now'.
 * - ApiKeyRejected → CheckApiKey mismatch; LoginSucceeded api_key → CheckApiKey match on the key and session its
 *   ApiKeyUsed names (on a log from before ApiKeyUsed, any live key: which one does not matter to `decide`).
 * `checkedHash` is the account's current hash: the password history is folded as recorded, so it is the one checked.
 */
export const recordedCommand = (group: readonly StoredEvent[], account: Account, secondStep: boolean): AccountCommand | null => {
  const now = group[0]!.at;
  let otp: OtpOutcome | null = null;
  let success: AccountEvent & { type: 'LoginSucceeded' } | null = null;
  let used: { keyId: string; sessionId: string } | null = null;
  for (const stored of group) {
    const e = stored as unknown as AccountEvent;
    switch (e.type) {
      case 'PasswordRejected':
        return checkPassword(account, 'mismatch', { kind: 'absent' }, 'later', false, now);
      case 'PasswordAccepted':
        return checkPassword(account, 'match', { kind: 'absent' }, 'later', false, now);
      case 'ApiKeyRejected':
        return { type: 'CheckApiKey', outcome: { kind: 'mismatch' }, sessionId: '', now };
      case 'OtpAccepted':
        otp = { kind: 'match', step: e.data.step };
        break;
      case 'RecoveryCodeUsed':
        otp = { kind: 'recovery', index: e.data.index, hash: account.recovery[e.data.index] ?? '' };
        break;
      case 'OtpRejected':
        otp = rejectedCode(e.data.reason, account);
        break;
      case 'LoginSucceeded':
        success = e;
        break;
      case 'ApiKeyUsed':
        used = e.data;
        break;
      default:
        break;
    }
  }
  if (otp !== null) return secondStep ? { type: 'CheckSecondFactor', otp, now } : checkPassword(account, 'match', otp, 'now', false, now);
  switch (success?.data.method) {
    case 'password':
      return checkPassword(account, 'match', { kind: 'absent' }, 'now', false, now);
    case 'password+device':
      return checkPassword(account, 'match', { kind: 'absent' }, 'later', true, now);
    case 'api_key': {
      // The key and session the login recorded (ApiKeyUsed); logs from before it name neither: any live key.
      const keyId = used?.keyId ?? account.apiKeys[0]?.id;
      return keyId === undefined ? null : { type: 'CheckApiKey', outcome: { kind: 'match', keyId }, sessionId: used?.sessionId ?? '', now };
    }
    default:
      return null;
  }
};

const rejectedCode = (reason: 'invalid' | 'replayed' | 'missing' | 'malformed', account: Account): OtpOutcome => {
  switch (reason) {
    case 'missing':
      return { kind: 'absent' };
    case 'malformed':
      return { kind: 'malformed' };
    case 'invalid':
      return { kind: 'mismatch' };
    case 'replayed':
      return account.lastTotpStep === null ? { kind: 'mismatch' } : { kind: 'match', step: account.lastTotpStep };
    default: {
      const _exhaustive: never = reason;
      return _exhaustive;
    }
  }
};

const checkPassword = (
  account: Account,
  password: 'match' | 'mismatch',
  otp: OtpOutcome,
  secondFactor: 'now' | 'later',
  trustedDevice: boolean,
  now: number,
): AccountCommand => ({ type: 'CheckPassword', password, checkedHash: account.passwordHash, otp, secondFactor, trustedDevice, now });
