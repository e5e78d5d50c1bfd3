import type { MfaRequirement } from '../../account/events.js';
import { DomainError } from '../../errors.js';
import type { EventMeta } from '../../event.js';
import { importablePhc } from '../../phc.js';
import { checkNewUsername } from '../../username.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';
import { checkNewPassword } from './new-password.js';

export interface NewUser {
  readonly username: string;
  readonly password?: string;
  /** An existing argon2id/argon2i PHC string (migration): accepted below the policy's cost, re-hashed at next login. */
  readonly passwordHash?: string;
  readonly roles?: readonly string[];
  readonly mfa?: MfaRequirement;
}

export const registerUser = async (deps: Deps, user: NewUser, meta: EventMeta): Promise<{ id: string; username: string }> => {
  const name = checkNewUsername(user.username);
  if (!name.ok) throw new DomainError('invalid_request', name.reason);
  // docs/security.md §36: mixed scripts are refused here, a look-alike of an existing name by the store as it claims
  // the name (in the append's transaction, so two racing registrations cannot both pass).
  if (!deps.looks.highlyRestrictive(name.username)) throw new DomainError('username_mixed_scripts', 'username mixes scripts');
  let passwordHash: string;
  if (user.passwordHash !== undefined) {
    if (!importablePhc(user.passwordHash)) throw new DomainError('unsupported_hash', 'password_hash must be an argon2id or argon2i PHC string');
    passwordHash = user.passwordHash;
  } else if (user.password !== undefined) {
    checkNewPassword(deps.policy, user.password);
    passwordHash = await deps.hasher.hash(user.password);
  } else throw new DomainError('invalid_request', 'password or password_hash is required');
  if ((await deps.store.accountIdByUsername(name.username)) !== null) throw new DomainError('username_taken', 'username is taken');
  const id = deps.random.id();
  const roles = user.roles ?? [];
  const mfa = user.mfa ?? 'required';
  await transact(deps, meta, (tx) => tx.decide('account', id, { type: 'Register', accountId: id, username: name.username, passwordHash, roles, mfa, now: tx.now }));
  return { id, username: name.username };
};
