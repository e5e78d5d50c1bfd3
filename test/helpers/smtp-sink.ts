import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** What the sink does with the next message: take it, refuse it with a reply code, or never answer its DATA. */
type Behaviour = { kind: 'accept' } | { kind: 'refuse'; code: number } | { kind: 'hold' };

/**
 * A real SMTP server (the `smtp-server` package) on 127.0.0.1, on a random port, with AUTH: it collects the messages
 * it accepts, each parsed by a real MIME parser (`mailparser`). It can refuse the next messages with a reply code, hold
 * one without ever answering, and stop and start again on the same port (a server down at send time, up later).
 */
export class SmtpSink {
  readonly messages: ParsedMail[] = [];
  /** Messages whose DATA was received, accepted or not (a refused or held one counts here, not in `messages`). */
  received = 0;
  /** For each received message, whether its session had been upgraded with STARTTLS. */
  readonly secure: boolean[] = [];
  readonly user = 'latchkey';
  readonly password = `smtp-canary-${Math.random().toString(36).slice(2)}`;
  #server: SMTPServer | null = null;
  #port = 0;
  #plan: Behaviour[] = [];
  #tls: { key: string; cert: string } | undefined;
  #waiters: (() => void)[] = [];

  /** With `tls`, the sink offers STARTTLS with that key and certificate; without, it offers none. */
  static async start(tls?: { key: string; cert: string }): Promise<SmtpSink> {
    const sink = new SmtpSink();
    sink.#tls = tls;
    await sink.listen();
    return sink;
  }

  get port(): number {
    return this.#port;
  }

  /** LATCHKEY_SMTP_URL for this sink. */
  get url(): string {
    return `smtp://${this.user}:${this.password}@127.0.0.1:${this.#port}`;
  }

  /** The next `n` messages get `code` (e.g. 550) instead of 250. */
  refuseNext(n: number, code: number): void {
    for (let i = 0; i < n; i++) this.#plan.push({ kind: 'refuse', code });
  }

  /** The next message's DATA is read and never answered. */
  holdNext(): void {
    this.#plan.push({ kind: 'hold' });
  }

  async listen(): Promise<void> {
    const server = new SMTPServer({
      // STARTTLS only with a certificate the test made (and the client was told to trust).
      ...(this.#tls === undefined ? { disabledCommands: ['STARTTLS'] } : { key: this.#tls.key, cert: this.#tls.cert }),
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth: (auth, _session, cb) => (auth.username === this.user && auth.password === this.password ? cb(null, { user: auth.username }) : cb(new Error('bad credentials'))),
      onData: (stream, session, cb) => {
        this.secure.push(session.secure);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.received++;
          const behaviour = this.#plan.shift() ?? { kind: 'accept' };
          if (behaviour.kind === 'hold') return this.#notify();
          if (behaviour.kind === 'refuse') {
            const err = Object.assign(new Error('refused by the test'), { responseCode: behaviour.code });
            this.#notify();
            return cb(err);
          }
          simpleParser(Buffer.concat(chunks))
            .then((mail) => {
              this.messages.push(mail);
              cb();
              this.#notify();
            })
            .catch((err: Error) => cb(err));
        });
      },
      logger: false,
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening (connections refused) until `listen` again, on the same port. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server === null) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once `n` messages were received (DATA ended), or rejects after `ms`. */
  async waitForReceived(n: number, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.received < n) {
      if (Date.now() > deadline) throw new Error(`the SMTP sink received ${this.received} messages, not ${n}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves with the `n`-th accepted message (1-based) once it arrived. */
  async message(n: number, ms = 10_000): Promise<ParsedMail> {
    const deadline = Date.now() + ms;
    while (this.messages.length < n) {
      if (Date.now() > deadline) throw new Error(`the SMTP sink holds ${this.messages.length} messages, not ${n}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.messages[n - 1]!;
  }

  /** The first accepted message to `address` from the `since`-th on (0-based), once it arrived. */
  async messageTo(address: string, since = 0, ms = 10_000): Promise<ParsedMail> {
    const deadline = Date.now() + ms;
    const to = (m: ParsedMail) => (m.to && !Array.isArray(m.to) ? m.to.value.map((a) => a.address?.toLowerCase()) : []);
    for (;;) {
      const found = this.messages.slice(since).find((m) => to(m).includes(address.toLowerCase()));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no message to ${address} in the SMTP sink`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  #notify(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

/** The code of a parsed message, from its plain-text part: the line that is only digits. */
export const codeOf = (mail: ParsedMail): string => {
  const m = /^(\d{6,8})$/m.exec(mail.text ?? '');
  if (m === null) throw new Error(`no code in the message's text part: ${JSON.stringify(mail.text)}`);
  return m[1]!;
};

/** The env of a test server that mails through `sink`, with short retries. */
export const mailEnv = (sink: SmtpSink, extra: Record<string, string> = {}): Record<string, string> => ({
  LATCHKEY_SMTP_URL: sink.url,
  LATCHKEY_MAIL_FROM: 'Latchkey <latchkey@example.org>',
  LATCHKEY_MAIL_RETRY_BASE_MS: '50',
  LATCHKEY_NODE_NAME: 'test-node',
  ...extra,
});
