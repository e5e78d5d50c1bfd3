import type { DeliveryEvent } from '../mail/delivery-events.js';
import type { TotpAlgorithm } from '../policy.js';

export type MfaRequirement = 'required' | 'exempt';
export type OtpRejection = 'invalid' | 'replayed' | 'missing' | 'malformed';
export type LoginMethod = 'password' | 'password+totp' | 'password+recovery' | 'password+email' | 'password+device' | 'token' | 'api_key';
export type Aal = 'aal1' | 'aal2';
/** `contention`: its append lost every race; `credentials_changed`: checked against a password that changed meanwhile. */
export type RefusalReason = 'locked' | 'hard_locked' | 'disabled' | 'no_factor' | 'contention' | 'credentials_changed';

export interface TotpParams {
  readonly algorithm: TotpAlgorithm;
  readonly digits: 6 | 8;
  readonly period: number;
}

/** Account stream events. Secrets appear only sealed (TOTP seed) or hashed (password PHC, recovery codes). */
export type AccountEvent =
  | { type: 'AccountRegistered'; data: { accountId: string; username: string; passwordHash: string; roles: readonly string[]; mfa: MfaRequirement } }
  | { type: 'PasswordChanged'; data: { passwordHash: string } }
  | { type: 'PasswordRehashed'; data: { passwordHash: string } }
  | { type: 'TotpEnrolmentStarted'; data: { sealedSecret: string } & TotpParams }
  | { type: 'TotpConfirmed'; data: { step: number } }
  | { type: 'TotpRemoved'; data: Record<string, never> }
  | { type: 'RecoveryCodesGenerated'; data: { hashes: readonly string[] } }
  | { type: 'RecoveryCodeUsed'; data: { index: number } }
  | { type: 'PasswordRejected'; data: { failures: number } }
  | { type: 'PasswordAccepted'; data: Record<string, never> }
  | { type: 'OtpRejected'; data: { reason: OtpRejection; failures: number } }
  | { type: 'OtpAccepted'; data: { step: number } }
  | { type: 'AccountLocked'; data: { until: number; failures: number } }
  | { type: 'AccountHardLocked'; data: { failures: number } }
  | { type: 'LoginRefused'; data: { reason: RefusalReason } }
  | { type: 'LoginSucceeded'; data: { aal: Aal; method: LoginMethod } }
  | { type: 'AccountUnlocked'; data: Record<string, never> }
  | { type: 'AccountDisabled'; data: Record<string, never> }
  | { type: 'AccountEnabled'; data: Record<string, never> }
  /** An admin-issued bearer key (TrueNAS API_KEY_PLAIN): only its SHA-256 is kept, the key is shown once. */
  | { type: 'ApiKeyIssued'; data: { keyId: string; hash: string; name?: string } }
  | { type: 'ApiKeyRevoked'; data: { keyId: string } }
  /** The session a login with this key opened (with its LoginSucceeded): revoking the key ends it. */
  | { type: 'ApiKeyUsed'; data: { keyId: string; sessionId: string } }
  /** An admin forgot every remembered device of the account: they stop standing in for the second factor. */
  | { type: 'DevicesForgotten'; data: Record<string, never> }
  /** A wrong API key: a failure counted towards the same lockout as a wrong password. */
  | { type: 'ApiKeyRejected'; data: { failures: number } }
  /**
   * An address to verify, kept as the admin gave it; the mailed code only as an HMAC (docs/security.md §38). It
   * becomes the account's e-mail factor when the code comes back (EmailConfirmed); an active address stays until then.
   */
  | { type: 'EmailVerificationStarted'; data: { address: string; codeId: string; codeMac: string; expiresAt: number; outbox: string } }
  | { type: 'EmailConfirmed'; data: { codeId: string } }
  | { type: 'EmailRemoved'; data: Record<string, never> }
  /** A login code was sent for one of the account's challenges: counted against its hourly send limit (docs/security.md §39). */
  | { type: 'EmailCodeRequested'; data: { challengeId: string } }
  /** The delivery of the address-verification code. */
  | DeliveryEvent;

export type AccountEventType = AccountEvent['type'];
