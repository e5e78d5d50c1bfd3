import type { BucketPolicy } from './throttle/token-bucket.js';

/** Every number that decides a login, in one place; all of it is an input to the deciders. */
export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface Policy {
  /** OWASP Password Storage cheat sheet: argon2id floor m=19 MiB, t=2, p=1. */
  readonly argon2: { readonly memoryKiB: number; readonly iterations: number; readonly parallelism: number };
  /** RFC 6238 §5.2: at most ±1 step of network delay is the recommended window. */
  readonly totp: { readonly algorithm: TotpAlgorithm; readonly digits: 6 | 8; readonly periodSeconds: number; readonly window: number };
  readonly challenge: { readonly ttlMs: number; readonly maxAttempts: number };
  /** NIST SP 800-63B §5.2.2: back off exponentially, hard stop at 100 consecutive failures. */
  readonly lockout: {
    /** Failures within `windowMs` that lock the account for a while (at most 32: the account remembers 32 failure times). */
    readonly threshold: number;
    /** Failures older than this no longer count towards a timed lock (docs/security.md §17; Keycloak's "failure reset time"). */
    readonly windowMs: number;
    readonly baseLockMs: number;
    readonly maxLockMs: number;
    /** Consecutive failures, however spread, that lock until an admin unlocks. */
    readonly hardLockAfter: number;
  };
  readonly session: { readonly ttlMs: number };
  readonly device: { readonly ttlMs: number };
  /** NIST SP 800-63B §5.1.1.2: cap the length before hashing so argon2 is not a DoS lever. */
  readonly password: { readonly minLength: number; readonly maxBytes: number };
  readonly recovery: { readonly count: number };
  /** Failure budgets per client address and per account name (token buckets; successes are refunded). */
  readonly throttle: { readonly perIp: BucketPolicy; readonly perAccount: BucketPolicy };
  /**
   * E-mail one-time codes (docs/security.md §38–§40): digits from the CSPRNG, single use, bound to their challenge;
   * sends counted per account and per client address over an hour (at most 64: a fold remembers 64 send times).
   */
  readonly email: {
    readonly digits: 6 | 7 | 8;
    readonly codeTtlMs: number;
    readonly perAccountPerHour: number;
    readonly perAddressPerHour: number;
  };
}

export const defaultPolicy: Policy = {
  argon2: { memoryKiB: 19456, iterations: 2, parallelism: 1 },
  totp: { algorithm: 'SHA1', digits: 6, periodSeconds: 30, window: 1 },
  challenge: { ttlMs: 300_000, maxAttempts: 5 },
  lockout: { threshold: 5, windowMs: 12 * 3600_000, baseLockMs: 60_000, maxLockMs: 900_000, hardLockAfter: 100 },
  session: { ttlMs: 900_000 },
  device: { ttlMs: 30 * 24 * 3600_000 },
  password: { minLength: 8, maxBytes: 1024 },
  recovery: { count: 10 },
  throttle: { perIp: { capacity: 30, perMinute: 30 }, perAccount: { capacity: 10, perMinute: 10 } },
  email: { digits: 6, codeTtlMs: 600_000, perAccountPerHour: 5, perAddressPerHour: 20 },
};
