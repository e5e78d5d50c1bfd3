import type { Deps } from '../kernel/deps.js';

/** `digits` decimal digits, uniform: 32-bit draws from the CSPRNG past the last whole multiple of 10^digits are redrawn. */
export const newEmailCode = (deps: Deps): string => {
  const modulus = 10 ** deps.policy.email.digits;
  const limit = Math.floor(2 ** 32 / modulus) * modulus;
  for (;;) {
    const b = deps.random.bytes(4);
    const n = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    if (n < limit) return String(n % modulus).padStart(deps.policy.email.digits, '0');
  }
};

/**
 * What the log keeps of a mailed code: an HMAC under the server key, bound to the stream that issued it, so a code is
 * good only for that challenge (or that address verification) and the log alone cannot be searched for it.
 */
export const emailCodeMac = (deps: Deps, stream: string, code: string): string => deps.digest.keyed(`email-code:${stream}:${code}`);
