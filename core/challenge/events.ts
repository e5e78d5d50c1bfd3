import type { Dialect } from '../event.js';
import type { DeliveryEvent } from '../mail/delivery-events.js';

export type SecondFactorMethod = 'totp' | 'email' | 'recovery';
export type ChallengeEnd = 'credentials_changed' | 'expired' | 'exhausted';
/** A request for an e-mail code refused (docs/security.md §39): a live one is pending, or a send limit is reached. */
export type EmailSendRefusal = 'email_pending' | 'email_account_limit' | 'email_address_limit';
/** Why a presented second-step token was refused without judging a code (or without sending one). */
export type ChallengeRefusal = 'finished' | ChallengeEnd | 'foreign_user' | 'bad_token' | EmailSendRefusal;

/** One pending second-factor step: native mfa_token, Appgate partial token, myKaarma sessionToken, TrueNAS OTP_REQUIRED. */
export type ChallengeEvent =
  | {
      type: 'ChallengeIssued';
      data: {
        challengeId: string;
        accountId: string;
        /** SHA-256 of the bearer secret; the token itself is never stored. */
        tokenHash: string;
        expiresAt: number;
        epoch: number;
        methods: readonly SecondFactorMethod[];
        dialect: Dialect;
      };
    }
  | { type: 'ChallengeOtpRejected'; data: { attempts: number } }
  | { type: 'ChallengeCompleted'; data: { sessionId: string | null } }
  | { type: 'ChallengeEnded'; data: { reason: ChallengeEnd } }
  /** The token was presented and refused: spent, of another user than the caller named, or not its validator. */
  | { type: 'ChallengeRefused'; data: { reason: ChallengeRefusal } }
  /**
   * A login code for this challenge, only as an HMAC bound to the challenge (docs/security.md §38); it replaces any
   * earlier one. `outbox`: the node holding the clear code until it is sent; null when none is sent (the account has
   * no address: the same answer and work as for one that has, docs/security.md §40).
   */
  | { type: 'EmailCodeIssued'; data: { codeId: string; codeMac: string; expiresAt: number; outbox: string | null } }
  | DeliveryEvent;
