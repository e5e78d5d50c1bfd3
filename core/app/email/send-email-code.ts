import { challengeUsability } from '../../challenge/state.js';
import type { EmailSendRefusal } from '../../challenge/events.js';
import type { EventMeta } from '../../event.js';
import type { OutgoingCode } from '../../ports/mail-outbox.js';
import { isLive } from '../../mail/mailed-code.js';
import { secondsUntilSendFrees, sendsWithinHour } from '../../mail/send-window.js';
import { streamId } from '../../streams.js';
import { canonicalUsername } from '../../username.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';
import { presentedChallenge } from '../second-step/presented-challenge.js';
import { refusePresentation } from '../second-step/refuse-presentation.js';
import { emailCodeMac, newEmailCode } from './email-code.js';
import { mailOutboxOf } from './mail-outbox-of.js';

export interface SendEmailCodeInput {
  readonly mfaToken: unknown;
  /** The user the caller says this step is for (myKaarma's path): a token of another user is refused, and recorded. */
  readonly username?: string;
}

export type SendEmailCodeResult =
  /** The same answer whether or not the account has an address (docs/security.md §40): only the former gets mail. */
  | { readonly kind: 'accepted'; readonly expiresIn: number }
  | { readonly kind: 'invalid_token' }
  /**
   * Not sent (recorded as ChallengeRefused): a live code is pending, or a limit is reached; `retryAfter` in seconds. The
   * dialect answers it: a 429 whose Retry-After would make the HTTP layer refuse the address's same requests early
   * (docs/security.md §37) is right only for the address's own limit.
   */
  | { readonly kind: 'refused'; readonly reason: EmailSendRefusal; readonly retryAfter: number };

/** The client address's stream: an HMAC of it, as unknown names are kept (its clear form is in the event's meta anyway). */
const addressKey = (deps: Deps, meta: EventMeta): string => deps.digest.keyed(`address:${meta.ip ?? 'unknown'}`);

/**
 * Sends a login code for a pending challenge (native `POST /v1/login/mfa/email`, myKaarma `mfaType: "EMAIL"`). One
 * transaction: the client address and the account count the send against their hourly limits, the challenge records
 * the code's HMAC (EmailCodeIssued); then the outbox gets the code and the answer goes back without waiting for SMTP.
 * An account without an address gets the same events, answer and work, and no mail (docs/security.md §40). Beyond a
 * limit, or while a live code is pending: the refusal is recorded on the challenge, and no code is sent.
 */
export const sendEmailCode = async (deps: Deps, input: SendEmailCodeInput, meta: EventMeta): Promise<SendEmailCodeResult> => {
  const outbox = mailOutboxOf(deps);
  const presented = await presentedChallenge(deps, input.mfaToken);
  if (presented === null) {
    await refusePresentation(deps, input.mfaToken, 'bad_token', meta);
    return { kind: 'invalid_token' };
  }
  if (input.username !== undefined && canonicalUsername(input.username) !== presented.account.username) {
    await refusePresentation(deps, input.mfaToken, 'foreign_user', meta);
    return { kind: 'invalid_token' };
  }
  // Drawn for every account alike, before the transaction; one without an address never sees it.
  const code = newEmailCode(deps);
  const codeId = deps.random.id();
  const codeMac = emailCodeMac(deps, streamId('challenge', presented.id), code);
  const { policy } = deps;
  const { result, mail } = await transact(
    deps,
    meta,
    async (tx): Promise<{ result: SendEmailCodeResult; mail: OutgoingCode | null }> => {
      const answer = (result: SendEmailCodeResult) => ({ result, mail: null });
      const challenge = await tx.load('challenge', presented.id);
      const acct = await tx.load('account', presented.state.accountId);
      if (acct.status !== 'registered') return answer({ kind: 'invalid_token' });
      const account = acct.account;
      if (challenge.status !== 'pending' || challengeUsability(challenge, account.epoch, tx.now) !== 'usable') {
        await tx.decide('challenge', presented.id, { type: 'Close', accountEpoch: account.epoch, now: tx.now });
        return answer({ kind: 'invalid_token' });
      }
      const refuse = async (reason: EmailSendRefusal, retryAfter: number) => {
        await tx.decide('challenge', presented.id, { type: 'Refuse', reason, now: tx.now });
        return answer({ kind: 'refused', reason, retryAfter });
      };
      if (challenge.email !== null && isLive(challenge.email, tx.now)) return refuse('email_pending', Math.max(1, Math.ceil((challenge.email.expiresAt - tx.now) / 1000)));
      const address = await tx.load('address', addressKey(deps, meta));
      if (sendsWithinHour(address.sends, tx.now) >= policy.email.perAddressPerHour) {
        return refuse('email_address_limit', secondsUntilSendFrees(address.sends, tx.now, policy.email.perAddressPerHour));
      }
      if (sendsWithinHour(account.email.sends, tx.now) >= policy.email.perAccountPerHour) {
        return refuse('email_account_limit', secondsUntilSendFrees(account.email.sends, tx.now, policy.email.perAccountPerHour));
      }
      await tx.decide('address', addressKey(deps, meta), { type: 'CountEmailSend', now: tx.now });
      await tx.decide('account', account.id, { type: 'CountEmailSend', challengeId: presented.id, now: tx.now });
      const to = account.email.address;
      const issued = await tx.decide('challenge', presented.id, {
        type: 'IssueEmailCode',
        codeId,
        codeMac,
        ttlMs: policy.email.codeTtlMs,
        outbox: to === null ? null : outbox.node,
        accountEpoch: account.epoch,
        now: tx.now,
      });
      const event = issued.find((e) => e.type === 'EmailCodeIssued');
      const expiresAt = event?.type === 'EmailCodeIssued' ? event.data.expiresAt : tx.now;
      const mail: OutgoingCode | null =
        to === null ? null : { purpose: 'login', stream: { kind: 'challenge', id: presented.id }, codeId, to, username: account.username, code, expiresAt };
      return { result: { kind: 'accepted', expiresIn: Math.max(0, Math.floor((expiresAt - tx.now) / 1000)) }, mail };
    },
    presented.reads,
  );
  // Only now that EmailCodeIssued is committed: a code is never mailed that the log does not know.
  if (mail !== null) outbox.post(mail);
  return result;
};
