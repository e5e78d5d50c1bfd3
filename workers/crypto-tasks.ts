/**
 * piscina tasks (STYLE.md §14): thin named functions over plain data, called as `pool.run(args, { name })`.
 * The argon2 binding runs its hash on libuv's process-wide thread pool even from here; what the worker gives
 * is admission control: a fixed number of tasks per worker at a time (crypto-pool.ts), behind a bounded queue.
 */
import * as argon2 from 'argon2';
import { verifySync } from 'otplib';

export interface HashTask {
  readonly password: string;
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}

export const hash = ({ password, memoryKiB, iterations, parallelism }: HashTask): Promise<string> =>
  argon2.hash(password, { type: argon2.argon2id, memoryCost: memoryKiB, timeCost: iterations, parallelism });

export interface VerifyTask {
  readonly phc: string;
  readonly password: string;
}

/** argon2 reads the algorithm and cost from the PHC string itself, so imported argon2i hashes verify too. */
export const verify = async ({ phc, password }: VerifyTask): Promise<boolean> => {
  try {
    return await argon2.verify(phc, password);
  } catch {
    return false;
  }
};

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

export { threadId } from './thread-id.js';
