import type { Dialect } from '../event.js';

export type SecondFactorMethod = 'totp' | 'recovery';
export type ChallengeEnd = 'credentials_changed' | 'expired' | 'exhausted';
/** Why a presented second-step token was refused without judging a code. */
export type ChallengeRefusal = 'finished' | ChallengeEnd | 'foreign_user' | 'bad_token';

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
  | { type: 'ChallengeRefused'; data: { reason: ChallengeRefusal } };
