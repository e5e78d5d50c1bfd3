import type { DeliveryOutcome } from '../mail/delivery-events.js';
import type { MfaRequirement, TotpParams } from './events.js';

/** The crypto outcome of a second-factor check, computed in the worker pool before `decide`. */
export type OtpOutcome =
  | { readonly kind: 'absent' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'match'; readonly step: number }
  /** `hash` is the digest that matched: if the set was regenerated meanwhile, the index points at another code. */
  | { readonly kind: 'recovery'; readonly index: number; readonly hash: string }
  /** The challenge's live e-mail code matched (its HMAC, compared in constant time against the one issued for it). */
  | { readonly kind: 'email' };

export type AccountCommand =
  | { type: 'Register'; accountId: string; username: string; passwordHash: string; roles: readonly string[]; mfa: MfaRequirement; now: number }
  | { type: 'ChangePassword'; passwordHash: string; now: number }
  | { type: 'RehashPassword'; passwordHash: string; checkedHash: string; now: number }
  | { type: 'StartTotpEnrolment'; sealedSecret: string; params: TotpParams; now: number }
  | { type: 'ConfirmTotp'; otp: OtpOutcome; now: number }
  | { type: 'RemoveTotp'; now: number }
  | { type: 'GenerateRecoveryCodes'; hashes: readonly string[]; now: number }
  | {
      type: 'CheckPassword';
      password: 'match' | 'mismatch';
      /** The PHC string the worker checked against: if it changed meanwhile, the outcome is stale. */
      checkedHash: string;
      otp: OtpOutcome;
      /** 'now' for one-step logins (a missing code is a failure); 'later' when a challenge may follow. */
      secondFactor: 'now' | 'later';
      /** A valid remembered device of this account: skips the second step and a temporary lock. */
      trustedDevice: boolean;
      now: number;
    }
  | { type: 'CheckSecondFactor'; otp: OtpOutcome; now: number }
  | { type: 'IssueApiKey'; keyId: string; hash: string; name: string | null; now: number }
  | { type: 'RevokeApiKey'; keyId: string; now: number }
  /** `match` names the key whose hash equalled the presented key's (compared in constant time before `decide`). */
  | { type: 'CheckApiKey'; outcome: { readonly kind: 'match'; readonly keyId: string } | { readonly kind: 'mismatch' }; sessionId: string; now: number }
  | { type: 'ForgetDevices'; now: number }
  /** An attempt refused without a judgement: recorded, never counted (it says nothing about the credentials). */
  | { type: 'RecordRefusal'; reason: 'contention' | 'credentials_changed'; now: number }
  | { type: 'StartEmailVerification'; address: string; codeId: string; codeMac: string; expiresAt: number; outbox: string; now: number }
  /** `match`: the HMAC of the given code equalled the pending verification's (compared before `decide`). */
  | { type: 'ConfirmEmail'; outcome: 'match' | 'mismatch'; codeId: string; now: number }
  | { type: 'RemoveEmail'; now: number }
  /** A login code is about to be sent for this challenge: refused (no event) past the hourly limit. */
  | { type: 'CountEmailSend'; challengeId: string; now: number }
  | { type: 'RecordEmailDelivery'; codeId: string; outcome: DeliveryOutcome; now: number }
  | { type: 'Unlock'; now: number }
  | { type: 'Disable'; now: number }
  | { type: 'Enable'; now: number };
