import type { Dialect, StoredEvent } from '../event.js';

/** One event as an auditor reads it (docs/api.md "Audit", history): when, through what, from where, what, and why. */
export interface AuditRow {
  readonly seq: number;
  readonly at: number;
  readonly stream: string;
  readonly type: string;
  readonly dialect: Dialect;
  readonly ip: string | null;
  readonly reason?: string;
  readonly data: object;
}

/**
 * Why an attempt failed or a thing ended, in one word: the rejection or refusal reason the event carries, or the
 * kind of check that failed. Event types this file does not know yet give their own `reason` field when they have
 * one (new attempt events then read right without a change here).
 */
export const reasonOf = (event: StoredEvent): string | undefined => {
  switch (event.type) {
    case 'PasswordRejected':
      return 'password';
    case 'ApiKeyRejected':
      return 'api_key';
    case 'UnknownUserAttempted':
      return 'unknown_user';
    case 'ChallengeOtpRejected':
      return 'invalid';
    case 'DeviceReuseDetected':
      return 'reuse';
    case 'EmailDeliveryFailed': {
      const { smtpCode, final } = event.data as { smtpCode?: unknown; final?: unknown };
      return `${smtpCode === 0 ? 'no_smtp_reply' : `smtp_${String(smtpCode)}`}${final === true ? ',final' : ''}`;
    }
    case 'EmailCodeIssued':
      // Asked for by an account without an address: recorded like any other, and nothing was sent (docs/security.md §40).
      return (event.data as { outbox?: unknown }).outbox === null ? 'no_address' : undefined;
    default: {
      const reason = (event.data as { reason?: unknown }).reason;
      return typeof reason === 'string' ? reason : undefined;
    }
  }
};

export const auditRow = (event: StoredEvent): AuditRow => {
  const reason = reasonOf(event);
  const row = { seq: event.seq, at: event.at, stream: event.stream, type: event.type, dialect: event.meta.dialect, ip: event.meta.ip, data: event.data };
  return reason === undefined ? row : { ...row, reason };
};
