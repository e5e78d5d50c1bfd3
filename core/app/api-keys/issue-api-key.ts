import { DomainError } from '../../errors.js';
import type { EventMeta } from '../../event.js';
import { hasInvisibleCharacters } from '../../invisible-characters.js';
import { newBearerSecret } from '../kernel/bearer-secret.js';
import type { Deps } from '../kernel/deps.js';
import { accountNamed } from '../kernel/registered-account.js';
import { transact } from '../kernel/transact.js';

/**
 * API keys: high-entropy bearer secrets an admin issues to an account (TrueNAS `API_KEY_PLAIN`). A key is
 * `<keyId>.<256 random bits>`; the account stream keeps only its SHA-256, the key itself is shown once.
 * NIST SP 800-63B §5.1.2.2: a secret of at least 112 bits of entropy is stored with an approved one-way
 * function; the salted, costly hash (argon2) is for low-entropy memorized secrets, so a key check costs no
 * argon2 work and cannot become a CPU lever.
 */
export interface IssuedApiKey {
  readonly id: string;
  readonly key: string;
}

const maxNameLength = 64;

export const issueApiKey = async (deps: Deps, username: string, name: string | null, meta: EventMeta): Promise<IssuedApiKey> => {
  if (name !== null && (name.length === 0 || name.length > maxNameLength || hasInvisibleCharacters(name))) {
    throw new DomainError('invalid_request', `name must be 1 to ${maxNameLength} printable characters`);
  }
  const account = await accountNamed(deps, username);
  const key = newBearerSecret(deps);
  await transact(deps, meta, (tx) => tx.decide('account', account.id, { type: 'IssueApiKey', keyId: key.id, hash: key.hash, name, now: tx.now }));
  return { id: key.id, key: key.token };
};
