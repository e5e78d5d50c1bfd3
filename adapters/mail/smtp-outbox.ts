import { type Transporter, createTransport } from 'nodemailer';
import type { DeliveryOutcome } from '../../core/mail/delivery-events.js';
import type { MailOutbox, OutgoingCode } from '../../core/ports/mail-outbox.js';
import type { MailConfig } from '../config.js';
import { codeMail } from './code-mail.js';
import { smtpCodeOf } from './smtp-code-of.js';

export type MailResult = 'sent' | 'failed' | 'retried';

export interface SmtpOutboxOptions {
  readonly config: MailConfig;
  readonly issuer: string;
  readonly node: string;
  readonly now: () => number;
}

type Recorder = (stream: OutgoingCode['stream'], codeId: string, outcome: DeliveryOutcome) => Promise<unknown>;

/**
 * The outbox's sender over nodemailer (docs/design.md "E-mail codes"). A posted code lives in this object's memory
 * only, until it is delivered, its attempts are spent or it expires; each attempt's outcome is recorded through the
 * engine. Nodemailer upgrades an smtp:// connection with STARTTLS whenever the server offers it.
 */
export class SmtpOutbox implements MailOutbox {
  readonly node: string;
  readonly #options: SmtpOutboxOptions;
  readonly #transport: Transporter;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  #record: Recorder | null = null;
  #observers: ((result: MailResult) => void)[] = [];
  #closed = false;

  constructor(options: SmtpOutboxOptions) {
    this.#options = options;
    this.node = options.node;
    this.#transport = createTransport(options.config.smtpUrl, { from: options.config.from });
  }

  /** The engine records outcomes; set once it exists (it holds this outbox in its ports). */
  attach(record: Recorder): void {
    this.#record = record;
  }

  /** Counts each attempt's result (the server's `/metrics`). */
  observe(observer: (result: MailResult) => void): void {
    this.#observers.push(observer);
  }

  /**
   * Starts the delivery on the next turn of the event loop, after the answer that posted it has been written: an
   * account with an address then answers as fast as one without (docs/security.md §40), not after composing the mail.
   */
  post(message: OutgoingCode): void {
    if (this.#closed) return;
    const delivery = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#deliver(message))
      .finally(() => this.#inFlight.delete(delivery));
    this.#inFlight.add(delivery);
  }

  /** Resolves once every posted code is settled (tests, and a graceful stop that can wait). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /**
   * Stops: no new attempts; waits up to `graceMs` for those under way. A code still unsent is dropped from memory here
   * and abandoned, with its event, at the next start (abandonUndelivered).
   */
  async close(graceMs = 2000): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) {
      clearTimeout(t.timer);
      t.wake();
    }
    const settled = Promise.allSettled([...this.#inFlight]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.#transport.close();
  }

  #emit(result: MailResult): void {
    for (const o of this.#observers) o(result);
  }

  async #deliver(message: OutgoingCode): Promise<void> {
    const { config, issuer, now } = this.#options;
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) return;
      const mail = codeMail(issuer, message, now());
      let outcome: DeliveryOutcome;
      try {
        await this.#transport.sendMail({ to: message.to, subject: mail.subject, text: mail.text, html: mail.html });
        outcome = { kind: 'delivered', attempt };
      } catch (err) {
        const delay = config.retryBaseMs * 2 ** (attempt - 1);
        // A code that would be dead before the next attempt is not retried.
        const final = attempt >= config.attempts || now() + delay >= message.expiresAt;
        outcome = { kind: 'failed', attempt, smtpCode: smtpCodeOf(err), final };
      }
      await this.#recordOutcome(message, outcome);
      if (outcome.kind === 'delivered') return this.#emit('sent');
      if (outcome.final) return this.#emit('failed');
      this.#emit('retried');
      await this.#sleep(config.retryBaseMs * 2 ** (attempt - 1));
    }
  }

  async #recordOutcome(message: OutgoingCode, outcome: DeliveryOutcome): Promise<void> {
    // Recording can fail (storage busy): the mail's fate is then missing from the log, and the next start abandons
    // a code whose delivery was never recorded, which errs on the side of a code the user cannot use.
    await this.#record?.(message.stream, message.codeId, outcome).catch(() => undefined);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#timers.delete(entry);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.#timers.add(entry);
    });
  }
}
