import type { DeliveryEvent, DeliveryOutcome } from './delivery-events.js';

/**
 * A code sent by mail, as its stream keeps it: only its HMAC (bound to the stream it was issued on), when it dies,
 * and where its delivery stands. `outbox` names the node whose memory holds the clear code until it is sent; null
 * when none is sent at all (a login code asked for by an account without an address: docs/security.md §40).
 */
export interface MailedCode {
  readonly codeId: string;
  readonly codeMac: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly outbox: string | null;
  readonly delivery: 'sending' | 'delivered' | 'failed' | 'abandoned' | 'withheld';
  readonly attempts: number;
}

/** Whether the outbox still owes this code a delivery: it was neither sent, given up on, nor withheld. */
export const awaitsDelivery = (code: MailedCode): boolean => code.delivery === 'sending';

/** A code that may still be typed: alive, and not known to be lost (a failed or abandoned one never reached anyone). */
export const isLive = (code: MailedCode, now: number): boolean => now < code.expiresAt && (code.delivery === 'sending' || code.delivery === 'delivered' || code.delivery === 'withheld');

/** Delivery facts fold into the code they name; one about another (older) code changes nothing. */
export const evolveMailedCode = <C extends MailedCode>(code: C, event: DeliveryEvent): C => {
  if (event.data.codeId !== code.codeId || code.delivery !== 'sending') return code;
  switch (event.type) {
    case 'EmailCodeDelivered':
      return { ...code, delivery: 'delivered', attempts: event.data.attempt };
    case 'EmailDeliveryFailed':
      return { ...code, delivery: event.data.final ? 'failed' : 'sending', attempts: event.data.attempt };
    case 'EmailCodeAbandoned':
      return { ...code, delivery: 'abandoned' };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};

/** The event recording a delivery outcome, or none when the code is no longer owed one (never recorded twice). */
export const decideDelivery = (code: MailedCode | null, codeId: string, outcome: DeliveryOutcome): DeliveryEvent[] => {
  if (code === null || code.codeId !== codeId || !awaitsDelivery(code)) return [];
  switch (outcome.kind) {
    case 'delivered':
      return [{ type: 'EmailCodeDelivered', data: { codeId, attempt: outcome.attempt } }];
    case 'failed':
      return [{ type: 'EmailDeliveryFailed', data: { codeId, attempt: outcome.attempt, smtpCode: outcome.smtpCode, final: outcome.final } }];
    case 'abandoned':
      return [{ type: 'EmailCodeAbandoned', data: { codeId, reason: outcome.reason } }];
    default: {
      const _exhaustive: never = outcome;
      return _exhaustive;
    }
  }
};
