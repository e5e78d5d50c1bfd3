import type { Policy } from './policy.js';

export interface PhcParams {
  readonly algorithm: 'argon2id' | 'argon2i' | 'argon2d';
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}

const phcPattern = /^\$(argon2id|argon2i|argon2d)\$v=(\d+)\$([a-z]=\d+(?:,[a-z]=\d+)*)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/**
 * Parses an argon2 PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`); null if it is anything else. The
 * parameters are read in any order: the reference CLI writes m,t,p, the node binding writes m,p,t.
 */
export const parsePhc = (phc: string): PhcParams | null => {
  const m = phcPattern.exec(phc);
  if (!m || m[2] !== '19') return null;
  const params = new Map<string, number>();
  for (const pair of m[3]!.split(',')) {
    const [key, value] = pair.split('=') as [string, string];
    if (params.has(key)) return null;
    params.set(key, Number(value));
  }
  const memoryKiB = params.get('m');
  const iterations = params.get('t');
  const parallelism = params.get('p');
  if (params.size !== 3 || memoryKiB === undefined || iterations === undefined || parallelism === undefined) return null;
  return { algorithm: m[1] as PhcParams['algorithm'], memoryKiB, iterations, parallelism };
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
