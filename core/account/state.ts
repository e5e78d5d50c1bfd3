import type { MailedCode } from '../mail/mailed-code.js';
import type { MfaRequirement, TotpParams } from './events.js';

export type Lock =
  | { readonly status: 'open' }
  | { readonly status: 'locked'; readonly until: number }
  | { readonly status: 'hard_locked' }
  | { readonly status: 'disabled' };

export type TotpFactor =
  | { readonly status: 'none' }
  | ({ readonly status: 'pending'; readonly sealedSecret: string } & TotpParams)
  | ({ readonly status: 'active'; readonly sealedSecret: string } & TotpParams);

/** An API key as the account keeps it: the SHA-256 of the whole key, never the key. */
export interface ApiKey {
  readonly id: string;
  readonly hash: string;
  readonly name: string | null;
  /** The sessions most recently opened with it (at most `keySessionMemory`), ended when it is revoked. */
  readonly sessions: readonly string[];
}

/** The e-mail factor: the confirmed address (null: none), an address being verified, and recent login-code sends. */
export interface EmailFactor {
  readonly address: string | null;
  readonly verification: (MailedCode & { readonly address: string }) | null;
  /** When login codes were sent, the latest `sendMemory` (core/mail/send-window.ts), for the hourly limit. */
  readonly sends: readonly number[];
}

export const noEmail: EmailFactor = { address: null, verification: null, sends: [] };

export interface Account {
  readonly id: string;
  readonly username: string;
  readonly passwordHash: string;
  readonly roles: readonly string[];
  readonly mfa: MfaRequirement;
  readonly totp: TotpFactor;
  /** Hashes of unused recovery codes; a used one becomes null so indexes stay stable. */
  readonly recovery: readonly (string | null)[];
  /** Consecutive failures since the last success or unlock, however spread in time (the hard stop counts these). */
  readonly failures: number;
  /** When the most recent of those failures happened (at most `failureMemory`): a timed lock looks at a window. */
  readonly recentFailures: readonly number[];
  readonly lock: Lock;
  /** RFC 6238 §5.2: the last accepted time step; only a strictly later one is accepted. */
  readonly lastTotpStep: number | null;
  /** Bumped whenever credentials change or the account locks: outstanding challenges die. */
  readonly epoch: number;
  /**
   * Bumped only when a credential changes (password, TOTP factor) or the account is disabled: remembered devices
   * die then, but not on a lock, which an attacker can cause (docs/security.md §20, OWASP "device cookies").
   */
  readonly credentials: number;
  /** Live API keys. */
  readonly apiKeys: readonly ApiKey[];
  readonly email: EmailFactor;
}

export type AccountState = { readonly status: 'unregistered' } | { readonly status: 'registered'; readonly account: Account };

/**
 * How many sessions opened with one API key an account remembers: revoking the key ends those with events; older ones
 * (past the bound) stop authenticating all the same, since a session opened with a key lives only while the key does.
 */
export const keySessionMemory = 32;

/** How many failure times an account remembers: the largest lockout threshold a policy may set. */
export const failureMemory = 32;

export const initialAccountState = (): AccountState => ({ status: 'unregistered' });

/** What the lock means at a given instant: a timed lock past its end is open. */
export const lockStatusAt = (lock: Lock, now: number): 'open' | 'locked' | 'hard_locked' | 'disabled' => {
  switch (lock.status) {
    case 'open':
      return 'open';
    case 'locked':
      return now < lock.until ? 'locked' : 'open';
    case 'hard_locked':
      return 'hard_locked';
    case 'disabled':
      return 'disabled';
    default: {
      const _exhaustive: never = lock;
      return _exhaustive;
    }
  }
};

/**
 * Rows folded before `recentFailures`, `credentials`, `apiKeys`, a key's `sessions` and `email` existed lack them: they
 * read as no recent failure, no credential change, no key, no remembered session and no address, which is what those
 * versions had.
 */
export const upcastAccountState = (stored: AccountState): AccountState => {
  if (stored.status !== 'registered') return stored;
  const a: Partial<Account> = stored.account;
  if (a.recentFailures !== undefined && a.credentials !== undefined && a.apiKeys !== undefined && a.apiKeys.every((k) => k.sessions !== undefined) && a.email !== undefined) {
    return stored;
  }
  const apiKeys = (a.apiKeys ?? []).map((k) => (k.sessions !== undefined ? k : { ...k, sessions: [] }));
  return {
    status: 'registered',
    account: { ...stored.account, recentFailures: a.recentFailures ?? [], credentials: a.credentials ?? 0, apiKeys, email: a.email ?? noEmail },
  };
};
