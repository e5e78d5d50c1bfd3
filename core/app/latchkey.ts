import type { Dialect, EventMeta } from '../event.js';
import { setUserDisabled, unlockUser } from './admin/account-status.js';
import { changePassword } from './admin/change-password.js';
import { generateRecoveryCodes } from './admin/recovery-codes.js';
import { type NewUser, registerUser } from './admin/register-user.js';
import { forgetDevices } from './admin/forget-devices.js';
import { confirmTotp, enrolTotp, removeTotp } from './admin/totp-factor.js';
import { issueApiKey } from './api-keys/issue-api-key.js';
import { type ApiKeyLoginInput, loginWithApiKey } from './api-keys/login-with-api-key.js';
import { revokeApiKey } from './api-keys/revoke-api-key.js';
import { confirmEmail, removeEmail, startEmailVerification } from './email/email-factor.js';
import { abandonUndelivered, recordMailDelivery } from './email/record-mail-delivery.js';
import { type SendEmailCodeInput, sendEmailCode } from './email/send-email-code.js';
import type { DeliveryOutcome } from '../mail/delivery-events.js';
import type { OutgoingCode } from '../ports/mail-outbox.js';
import type { Deps } from './kernel/deps.js';
import { type LoginInput, login } from './login/login.js';
import { type ConfirmChallengeTotpInput, confirmChallengeTotp } from './second-step/confirm-challenge-totp.js';
import { type ContinueInput, continueLogin } from './second-step/continue-login.js';
import { pendingChallenge } from './second-step/pending-challenge.js';
import { startChallengeTotpEnrolment } from './second-step/start-challenge-totp-enrolment.js';
import { authenticate } from './sessions/authenticate.js';
import { type TokenGrant, grantToken } from './sessions/grant-token.js';
import { loginWithToken } from './sessions/login-with-token.js';
import { logout } from './sessions/logout.js';
import { refresh } from './sessions/refresh.js';
import { recordThrottleRefusals } from './throttle/record-throttle-refusals.js';

/**
 * The one engine every dialect drives: no dialect has its own lockout, replay or token logic. It offers operations,
 * never its ports: a dialect that needs the time or the public keys asks for exactly that.
 */
export const createLatchkey = (deps: Deps) => ({
  login: (input: LoginInput, meta: EventMeta) => login(deps, input, meta),
  /** True while a password step would be shed (the argon2 queue is full): adapters refuse it before reading it. */
  saturated: () => deps.hasher.saturated(),
  continueLogin: (input: ContinueInput, meta: EventMeta) => continueLogin(deps, input, meta),
  pendingChallenge: (token: unknown) => pendingChallenge(deps, token),
  startChallengeTotpEnrolment: (token: unknown) => startChallengeTotpEnrolment(deps, token),
  confirmChallengeTotp: (input: ConfirmChallengeTotpInput, meta: EventMeta) => confirmChallengeTotp(deps, input, meta),
  authenticate: (token: unknown) => authenticate(deps, token),
  /** A login with a granted token (TrueNAS TOKEN_PLAIN): recorded, and throttled on failure. */
  loginWithToken: (token: unknown, meta: EventMeta) => loginWithToken(deps, token, meta),
  refresh: (token: unknown, meta: EventMeta, ttlMs?: number) => refresh(deps, token, meta, ttlMs),
  logout: (token: unknown, meta: EventMeta) => logout(deps, token, meta),
  grantToken: (accessToken: unknown, grant: TokenGrant, meta: EventMeta) => grantToken(deps, accessToken, grant, meta),
  registerUser: (user: NewUser, meta: EventMeta) => registerUser(deps, user, meta),
  changePassword: (username: string, password: string, meta: EventMeta) => changePassword(deps, username, password, meta),
  enrolTotp: (username: string, meta: EventMeta) => enrolTotp(deps, username, meta),
  confirmTotp: (username: string, otp: unknown, meta: EventMeta) => confirmTotp(deps, username, otp, meta),
  removeTotp: (username: string, meta: EventMeta) => removeTotp(deps, username, meta),
  startEmailVerification: (username: string, address: unknown, meta: EventMeta) => startEmailVerification(deps, username, address, meta),
  confirmEmail: (username: string, code: unknown, meta: EventMeta) => confirmEmail(deps, username, code, meta),
  removeEmail: (username: string, meta: EventMeta) => removeEmail(deps, username, meta),
  /** Mails a login code for a pending second step (the same answer whether or not the account has an address). */
  sendEmailCode: (input: SendEmailCodeInput, meta: EventMeta) => sendEmailCode(deps, input, meta),
  /** Whether codes can be mailed at all (an SMTP server is configured): `/healthz` says so. */
  mailAvailable: () => deps.mail !== null,
  /** The outbox records each attempt's outcome on the stream that issued the code. */
  recordMailDelivery: (stream: OutgoingCode['stream'], codeId: string, outcome: DeliveryOutcome) => recordMailDelivery(deps, stream, codeId, outcome),
  abandonUndelivered: (node: string, streams: readonly OutgoingCode['stream'][]) => abandonUndelivered(deps, node, streams),
  generateRecoveryCodes: (username: string, meta: EventMeta) => generateRecoveryCodes(deps, username, meta),
  unlockUser: (username: string, meta: EventMeta) => unlockUser(deps, username, meta),
  forgetDevices: (username: string, meta: EventMeta) => forgetDevices(deps, username, meta),
  setUserDisabled: (username: string, disabled: boolean, meta: EventMeta) => setUserDisabled(deps, username, disabled, meta),
  issueApiKey: (username: string, name: string | null, meta: EventMeta) => issueApiKey(deps, username, name, meta),
  revokeApiKey: (username: string, keyId: string, meta: EventMeta) => revokeApiKey(deps, username, keyId, meta),
  loginWithApiKey: (input: ApiKeyLoginInput, meta: EventMeta) => loginWithApiKey(deps, input, meta),
  /** Counts a refusal of a spent address budget that the HTTP layer answered before the application (as `admit` counts its own). */
  countAddressRefusal: (ip: string, dialect: Dialect) => deps.refusals.add('ip', ip, dialect, deps.clock.now()),
  /** Appends the throttle refusals counted since the last call (the server calls it once a minute and at shutdown). */
  recordThrottleRefusals: () => recordThrottleRefusals(deps),
  events: (query: { after: number; limit: number; stream?: string }) => deps.store.read(query),
  /** The engine's clock, for answers that state times (Appgate's `expires`, TrueNAS's call budget). */
  now: () => deps.clock.now(),
  /** The public keys access tokens are signed with (`/.well-known/jwks.json`). */
  jwks: () => deps.signer.jwks(),
});

export type Latchkey = ReturnType<typeof createLatchkey>;
