import { DomainError } from '../../errors.js';
import { isEmailAddress } from '../../email-address.js';
import type { EventMeta } from '../../event.js';
import { streamId } from '../../streams.js';
import { decideOnAccount } from '../admin/decide-on-account.js';
import type { Deps } from '../kernel/deps.js';
import { accountNamed } from '../kernel/registered-account.js';
import { emailCodeMac, newEmailCode } from './email-code.js';
import { mailOutboxOf } from './mail-outbox-of.js';

/**
 * Starts (or restarts) the verification of an address: a code is mailed to it, and the address becomes the account's
 * e-mail factor when the code comes back (confirmEmail). The command answers once the event is committed; the mail
 * goes out after (the outbox).
 */
export const startEmailVerification = async (deps: Deps, username: string, address: unknown, meta: EventMeta): Promise<{ expiresIn: number }> => {
  const outbox = mailOutboxOf(deps);
  if (!isEmailAddress(address)) throw new DomainError('invalid_request', 'email must be an e-mail address');
  const account = await accountNamed(deps, username);
  const code = newEmailCode(deps);
  const codeId = deps.random.id();
  const codeMac = emailCodeMac(deps, streamId('account', account.id), code);
  let expiresAt = 0;
  await decideOnAccount(deps, username, meta, (now) => {
    expiresAt = now + deps.policy.email.codeTtlMs;
    return { type: 'StartEmailVerification', address, codeId, codeMac, expiresAt, outbox: outbox.node, now };
  });
  outbox.post({ purpose: 'verification', stream: { kind: 'account', id: account.id }, codeId, to: address, username: account.username, code, expiresAt });
  return { expiresIn: Math.floor(deps.policy.email.codeTtlMs / 1000) };
};

/** True when the code matched the pending verification and the address is now the account's e-mail factor. */
export const confirmEmail = async (deps: Deps, username: string, code: unknown, meta: EventMeta): Promise<boolean> => {
  const account = await accountNamed(deps, username);
  const pending = account.email.verification;
  if (pending === null) throw new DomainError('factor_not_enrolled', 'no pending e-mail verification');
  const given = typeof code === 'string' && code.length <= 32 ? code : '';
  const match = deps.digest.same(emailCodeMac(deps, streamId('account', account.id), given), pending.codeMac);
  const events = await decideOnAccount(deps, username, meta, (now) => ({ type: 'ConfirmEmail', outcome: match ? 'match' : 'mismatch', codeId: pending.codeId, now }));
  return events.length > 0;
};

export const removeEmail = async (deps: Deps, username: string, meta: EventMeta): Promise<void> => {
  await decideOnAccount(deps, username, meta, (now) => ({ type: 'RemoveEmail', now }));
};
