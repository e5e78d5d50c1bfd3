import type { Dialect } from '../event.js';
import type { DeliveryOutcome } from '../mail/delivery-events.js';
import type { EmailSendRefusal, SecondFactorMethod } from './events.js';

export type ChallengeCommand =
  | {
      type: 'Issue';
      challengeId: string;
      accountId: string;
      tokenHash: string;
      epoch: number;
      methods: readonly SecondFactorMethod[];
      dialect: Dialect;
      now: number;
    }
  /** The account decided on the code; the challenge records the attempt against its own cap. */
  | { type: 'RecordAttempt'; result: 'accepted' | 'rejected'; sessionId: string | null; accountEpoch: number; now: number }
  /** A bearer presented a challenge that is no longer usable: record why, once. */
  | { type: 'Close'; accountEpoch: number; now: number }
  /** A presentation refused before any code was judged (myKaarma's sessionToken under another user's path, a bad validator). */
  | { type: 'Refuse'; reason: 'foreign_user' | 'bad_token' | EmailSendRefusal; now: number }
  /** A login code to mail (its HMAC): replaces an earlier code that is no longer live, refused while one is. */
  | { type: 'IssueEmailCode'; codeId: string; codeMac: string; ttlMs: number; outbox: string | null; accountEpoch: number; now: number }
  | { type: 'RecordEmailDelivery'; codeId: string; outcome: DeliveryOutcome; now: number };
