import type { Policy } from './policy.js';

export interface PhcParams {
  readonly algorithm: 'argon2id' | 'argon2i' | 'argon2d';
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}

const phcPattern = /^\$(argon2id|argon2i|argon2d)\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Parses an argon2 PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`); null if it is anything else. */
export const parsePhc = (phc: string): PhcParams | null => {
  const m = phcPattern.exec(phc);
  if (!m || m[2] !== '19') return null;
  return { algorithm: m[1] as PhcParams['algorithm'], memoryKiB: Number(m[3]), iterations: Number(m[4]), parallelism: Number(m[5]) };
};

/** Imports may be argon2id or argon2i (argon2d is not meant for passwords). */
export const importablePhc = (phc: string): boolean => {
  const p = parsePhc(phc);
  return p !== null && p.algorithm !== 'argon2d' && p.memoryKiB >= 8 && p.iterations >= 1 && p.parallelism >= 1;
};

/** OWASP Password Storage: PHC strings let the cost rise later; re-hash on the next successful login. */
export const needsRehash = (phc: string, policy: Policy): boolean => {
  const p = parsePhc(phc);
  if (p === null) return false;
  const want = policy.argon2;
  return p.algorithm !== 'argon2id' || p.memoryKiB < want.memoryKiB || p.iterations < want.iterations || p.parallelism < want.parallelism;
};
