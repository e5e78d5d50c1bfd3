import { base32 } from '../../base32.js';
import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { recoveryCodeDigest } from '../kernel/otp-outcome.js';
import { decideOnAccount } from './decide-on-account.js';

/** Ten single-use codes, shown once and stored as keyed hashes; a new set replaces the old one. */
export const generateRecoveryCodes = async (deps: Deps, username: string, meta: EventMeta): Promise<string[]> => {
  const codes = Array.from({ length: deps.policy.recovery.count }, () => base32(deps.random.bytes(7)).slice(0, 10).toLowerCase());
  const hashes = codes.map((c) => recoveryCodeDigest(deps, c));
  await decideOnAccount(deps, username, meta, (now) => ({ type: 'GenerateRecoveryCodes', hashes, now }));
  return codes.map((c) => `${c.slice(0, 5)}-${c.slice(5)}`);
};
