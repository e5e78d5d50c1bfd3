import type { AccountEvent } from './events.js';
import { evolveMailedCode } from '../mail/mailed-code.js';
import { withSend } from '../mail/send-window.js';
import { type Account, type AccountState, failureMemory, keySessionMemory, noEmail } from './state.js';

const update = (state: AccountState, f: (a: Account) => Account): AccountState =>
  state.status === 'registered' ? { status: 'registered', account: f(state.account) } : state;

/** Never throws: an event that does not fit the state leaves it unchanged (old logs must still replay). */
export const evolveAccount = (state: AccountState, event: AccountEvent, at: number): AccountState => {
  switch (event.type) {
    case 'AccountRegistered': {
      const d = event.data;
      return {
        status: 'registered',
        account: {
          id: d.accountId,
          username: d.username,
          passwordHash: d.passwordHash,
          roles: d.roles,
          mfa: d.mfa,
          totp: { status: 'none' },
          recovery: [],
          failures: 0,
          recentFailures: [],
          lock: { status: 'open' },
          lastTotpStep: null,
          epoch: 0,
          credentials: 0,
          apiKeys: [],
          email: noEmail,
        },
      };
    }
    case 'PasswordChanged':
      return update(state, (a) => ({ ...a, passwordHash: event.data.passwordHash, epoch: a.epoch + 1, credentials: a.credentials + 1 }));
    case 'PasswordRehashed':
      return update(state, (a) => ({ ...a, passwordHash: event.data.passwordHash }));
    case 'TotpEnrolmentStarted': {
      const { sealedSecret, algorithm, digits, period } = event.data;
      return update(state, (a) => ({ ...a, totp: { status: 'pending', sealedSecret, algorithm, digits, period }, epoch: a.epoch + 1, credentials: a.credentials + 1 }));
    }
    case 'TotpConfirmed':
      return update(state, (a) =>
        a.totp.status === 'pending' ? { ...a, totp: { ...a.totp, status: 'active' }, lastTotpStep: event.data.step } : a,
      );
    case 'TotpRemoved':
      return update(state, (a) => ({ ...a, totp: { status: 'none' }, epoch: a.epoch + 1, credentials: a.credentials + 1 }));
    case 'RecoveryCodesGenerated':
      return update(state, (a) => ({ ...a, recovery: event.data.hashes }));
    case 'RecoveryCodeUsed':
      return update(state, (a) => ({ ...a, recovery: a.recovery.map((h, i) => (i === event.data.index ? null : h)) }));
    case 'PasswordRejected':
    case 'OtpRejected':
    case 'ApiKeyRejected':
      return update(state, (a) => ({ ...a, failures: event.data.failures, recentFailures: [...a.recentFailures, at].slice(-failureMemory) }));
    case 'OtpAccepted':
      return update(state, (a) => ({ ...a, lastTotpStep: event.data.step }));
    case 'AccountLocked':
      return update(state, (a) => ({ ...a, lock: { status: 'locked', until: event.data.until }, epoch: a.epoch + 1 }));
    case 'AccountHardLocked':
      return update(state, (a) => ({ ...a, lock: { status: 'hard_locked' }, epoch: a.epoch + 1 }));
    case 'LoginSucceeded':
    case 'AccountUnlocked':
      return update(state, (a) => ({ ...a, failures: 0, recentFailures: [], lock: { status: 'open' } }));
    case 'AccountDisabled':
      return update(state, (a) => ({ ...a, lock: { status: 'disabled' }, epoch: a.epoch + 1, credentials: a.credentials + 1 }));
    case 'AccountEnabled':
      return update(state, (a) => ({ ...a, lock: { status: 'open' }, failures: 0, recentFailures: [] }));
    case 'ApiKeyIssued': {
      const { keyId, hash, name } = event.data;
      return update(state, (a) => ({ ...a, apiKeys: [...a.apiKeys, { id: keyId, hash, name: name ?? null, sessions: [] }] }));
    }
    case 'ApiKeyRevoked':
      return update(state, (a) => ({ ...a, apiKeys: a.apiKeys.filter((k) => k.id !== event.data.keyId) }));
    case 'ApiKeyUsed': {
      const { keyId, sessionId } = event.data;
      return update(state, (a) => ({
        ...a,
        apiKeys: a.apiKeys.map((k) => (k.id === keyId ? { ...k, sessions: [...k.sessions, sessionId].slice(-keySessionMemory) } : k)),
      }));
    }
    case 'DevicesForgotten':
      // Devices are good for one value of the credential counter: a new value retires them all.
      return update(state, (a) => ({ ...a, credentials: a.credentials + 1 }));
    case 'EmailVerificationStarted': {
      const { address, codeId, codeMac, expiresAt, outbox } = event.data;
      const verification = { address, codeId, codeMac, issuedAt: at, expiresAt, outbox, delivery: 'sending' as const, attempts: 0 };
      return update(state, (a) => ({ ...a, email: { ...a.email, verification } }));
    }
    case 'EmailConfirmed':
      // A new factor, as a confirmed TOTP seed is: outstanding challenges and remembered devices die.
      return update(state, (a) =>
        a.email.verification?.codeId === event.data.codeId
          ? { ...a, email: { ...a.email, address: a.email.verification.address, verification: null }, epoch: a.epoch + 1, credentials: a.credentials + 1 }
          : a,
      );
    case 'EmailRemoved':
      return update(state, (a) => ({ ...a, email: { ...noEmail, sends: a.email.sends }, epoch: a.epoch + 1, credentials: a.credentials + 1 }));
    case 'EmailCodeRequested':
      return update(state, (a) => ({ ...a, email: { ...a.email, sends: withSend(a.email.sends, at) } }));
    case 'EmailCodeDelivered':
    case 'EmailDeliveryFailed':
    case 'EmailCodeAbandoned':
      return update(state, (a) => (a.email.verification === null ? a : { ...a, email: { ...a.email, verification: evolveMailedCode(a.email.verification, event) } }));
    case 'PasswordAccepted':
    case 'LoginRefused':
      return state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};
