import { verifySync } from 'otplib';

/** One code to check, with the seed in clear: opened on the event loop, it goes no further than the worker that checks it. */
export interface TotpVerification {
  readonly secret: string;
  readonly algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  readonly digits: 6 | 8;
  readonly period: number;
  readonly code: string;
  readonly epochSeconds: number;
  readonly window: number;
  /** The last accepted step: a match after it is preferred (core/ports/totp-verifier.ts, `TotpCheck.after`). */
  readonly after?: number | null;
}

/**
 * RFC 6238: the time step the code matches within ±window steps, or null. otplib v13 takes the tolerance in
 * seconds: `window × period` on each side covers exactly the steps T−window … T+window, and reports the first step
 * that matches. When two steps share the code, the first may be one already used although the later one is fresh:
 * with `after`, the steps after it are searched first (otplib's `afterTimeStep`, which throws when given a step past
 * the window's end), then the whole window, so that a code matching only used steps still comes back as a replay.
 */
export const verifyTotp = (t: TotpVerification): number | null => {
  const search = (afterTimeStep?: number): number | null => {
    const result = verifySync({
      secret: t.secret,
      token: t.code,
      algorithm: t.algorithm.toLowerCase() as 'sha1' | 'sha256' | 'sha512',
      digits: t.digits,
      period: t.period,
      epoch: t.epochSeconds,
      epochTolerance: t.window * t.period,
      afterTimeStep,
    });
    return result.valid ? (result as { timeStep: number }).timeStep : null;
  };
  // Only an `after` inside the window changes the search: before it, every step is fresh; at or past its end, none.
  const current = Math.floor(t.epochSeconds / t.period);
  if (t.after != null && t.after >= current - t.window && t.after < current + t.window) {
    const fresh = search(t.after);
    if (fresh !== null) return fresh;
  }
  return search();
};
