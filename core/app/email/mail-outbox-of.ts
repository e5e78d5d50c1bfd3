import { DomainError } from '../../errors.js';
import type { MailOutbox } from '../../ports/mail-outbox.js';
import type { Deps } from '../kernel/deps.js';

/** The outbox, or the factor's clear refusal when no SMTP server is configured (README, "E-mail codes"). */
export const mailOutboxOf = (deps: Deps): MailOutbox => {
  if (deps.mail === null) throw new DomainError('factor_unavailable', 'e-mail codes are not available: no SMTP server is configured (LATCHKEY_SMTP_URL)');
  return deps.mail;
};
