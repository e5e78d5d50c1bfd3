import type { MailedCode } from '../mail/mailed-code.js';
import type { ChallengeEnd, SecondFactorMethod } from './events.js';

export interface PendingChallenge {
  readonly id: string;
  readonly accountId: string;
  readonly tokenHash: string;
  readonly expiresAt: number;
  readonly epoch: number;
  readonly methods: readonly SecondFactorMethod[];
  readonly attempts: number;
  /** Presentations refused without judging a code (ChallengeRefused). */
  readonly refusals: number;
  /** The latest e-mail code sent for it, if any. */
  readonly email: MailedCode | null;
}

export type ChallengeState =
  | { readonly status: 'none' }
  | ({ readonly status: 'pending' } & PendingChallenge)
  | { readonly status: 'completed'; readonly id: string; readonly accountId: string; readonly refusals: number }
  | { readonly status: 'ended'; readonly id: string; readonly accountId: string; readonly reason: ChallengeEnd; readonly refusals: number };

/**
 * How many refused presentations a challenge records: every one up to here, none after, so the holder of a spent
 * token cannot grow the log one row per request (its id was minted by us: there are no others to try).
 */
export const maxRecordedRefusals = 10;

/** Challenge rows stored before `refusals` and `email` existed had none. */
export const upcastChallengeState = (stored: ChallengeState): ChallengeState => {
  if (stored.status === 'none') return stored;
  const refusals = stored.refusals ?? 0;
  if (stored.status !== 'pending') return stored.refusals === undefined ? { ...stored, refusals } : stored;
  return stored.refusals === undefined || stored.email === undefined ? { ...stored, refusals, email: stored.email ?? null } : stored;
};

export const initialChallengeState = (): ChallengeState => ({ status: 'none' });

/**
 * Whether a bearer of this challenge may try a code now. The TTL is exclusive (dead at `expiresAt`), and a
 * change of the account's epoch (password, factor, lock) kills it (docs/security.md §11).
 */
export const challengeUsability = (
  state: ChallengeState,
  accountEpoch: number,
  now: number,
): 'usable' | 'unknown' | 'finished' | ChallengeEnd => {
  switch (state.status) {
    case 'none':
      return 'unknown';
    case 'completed':
      return 'finished';
    case 'ended':
      return state.reason;
    case 'pending':
      if (now >= state.expiresAt) return 'expired';
      if (state.epoch !== accountEpoch) return 'credentials_changed';
      return 'usable';
    default: {
      const _exhaustive: never = state;
      return _exhaustive;
    }
  }
};
