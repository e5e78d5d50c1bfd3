import { verifySync } from 'otplib';

export interface TotpTask {
  readonly secret: string;
  readonly algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  readonly digits: 6 | 8;
  readonly period: number;
  readonly code: string;
  readonly epochSeconds: number;
  readonly window: number;
}

/**
 * RFC 6238: the time step the code matches within ±window steps, or null. otplib v13 takes the tolerance in
 * seconds: `window × period` on each side covers exactly the steps T−window … T+window.
 */
export const verifyTotp = (t: TotpTask): number | null => {
  const result = verifySync({
    secret: t.secret,
    token: t.code,
    algorithm: t.algorithm.toLowerCase() as 'sha1' | 'sha256' | 'sha512',
    digits: t.digits,
    period: t.period,
    epoch: t.epochSeconds,
    epochTolerance: t.window * t.period,
  });
  return result.valid ? (result as { timeStep: number }).timeStep : null;
};
