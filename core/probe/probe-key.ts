import type { Digest } from '../ports/digest.js';

/**
 * The key a canonical username is recorded under when it names no account (its probe stream), and when its failure
 * budget refuses it (its throttle stream): an HMAC, never the name (docs/design.md: people type passwords there).
 */
export const probeKey = (digest: Digest, username: string): string => digest.keyed(`user:${username}`);
