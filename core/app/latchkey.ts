import type { EventMeta } from '../event.js';
import type { NewUser } from './admin.js';
import * as admin from './admin.js';
import { type ApiKeyLoginInput, issueApiKey, loginWithApiKey, revokeApiKey } from './api-keys.js';
import { type ConfirmChallengeTotpInput, confirmChallengeTotp } from './confirm-challenge-totp.js';
import { type ContinueInput, continueLogin } from './continue-login.js';
import type { Deps } from './deps.js';
import { type LoginInput, login } from './login.js';
import { pendingChallenge } from './pending-challenge.js';
import { startChallengeTotpEnrolment } from './start-challenge-totp-enrolment.js';
import { authenticate, deriveToken, logout, refresh } from './sessions.js';

/** The one engine every dialect drives: no dialect has its own lockout, replay or token logic. */
export const createLatchkey = (deps: Deps) => ({
  deps,
  login: (input: LoginInput, meta: EventMeta) => login(deps, input, meta),
  /** True while a password step would be shed (the argon2 queue is full): adapters refuse it before reading it. */
  saturated: () => deps.hasher.saturated(),
  continueLogin: (input: ContinueInput, meta: EventMeta) => continueLogin(deps, input, meta),
  pendingChallenge: (token: unknown) => pendingChallenge(deps, token),
  startChallengeTotpEnrolment: (token: unknown) => startChallengeTotpEnrolment(deps, token),
  confirmChallengeTotp: (input: ConfirmChallengeTotpInput, meta: EventMeta) => confirmChallengeTotp(deps, input, meta),
  authenticate: (token: unknown) => authenticate(deps, token),
  refresh: (token: unknown, meta: EventMeta, ttlMs?: number) => refresh(deps, token, meta, ttlMs),
  logout: (token: unknown, meta: EventMeta) => logout(deps, token, meta),
  deriveToken: (token: unknown, meta: EventMeta, ttlMs: number) => deriveToken(deps, token, meta, ttlMs),
  registerUser: (user: NewUser, meta: EventMeta) => admin.registerUser(deps, user, meta),
  changePassword: (username: string, password: string, meta: EventMeta) => admin.changePassword(deps, username, password, meta),
  enrolTotp: (username: string, meta: EventMeta) => admin.enrolTotp(deps, username, meta),
  confirmTotp: (username: string, otp: unknown, meta: EventMeta) => admin.confirmTotp(deps, username, otp, meta),
  removeTotp: (username: string, meta: EventMeta) => admin.removeTotp(deps, username, meta),
  generateRecoveryCodes: (username: string, meta: EventMeta) => admin.generateRecoveryCodes(deps, username, meta),
  unlockUser: (username: string, meta: EventMeta) => admin.unlockUser(deps, username, meta),
  setUserDisabled: (username: string, disabled: boolean, meta: EventMeta) => admin.setUserDisabled(deps, username, disabled, meta),
  issueApiKey: (username: string, name: string | null, meta: EventMeta) => issueApiKey(deps, username, name, meta),
  revokeApiKey: (username: string, keyId: string, meta: EventMeta) => revokeApiKey(deps, username, keyId, meta),
  loginWithApiKey: (input: ApiKeyLoginInput, meta: EventMeta) => loginWithApiKey(deps, input, meta),
  events: (query: { after: number; limit: number; stream?: string }) => deps.store.read(query),
});

export type Latchkey = ReturnType<typeof createLatchkey>;
