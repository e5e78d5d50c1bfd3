/** A code to mail, handed over after the event that issued it committed. The only place it exists in clear. */
export interface OutgoingCode {
  readonly purpose: 'login' | 'verification';
  /** The stream that issued the code and records what became of it. */
  readonly stream: { readonly kind: 'challenge' | 'account'; readonly id: string };
  readonly codeId: string;
  readonly to: string;
  readonly username: string;
  readonly code: string;
  readonly expiresAt: number;
}

/**
 * The outbox's sending half (docs/design.md "E-mail codes"): it holds a code in memory only until it is sent, and
 * records each attempt through the engine (EmailCodeDelivered, EmailDeliveryFailed). A process that stops loses what
 * it held: the next start abandons those codes with an event (abandonUndelivered).
 */
export interface MailOutbox {
  /** The node whose memory holds the codes it is given (EmailCodeIssued's `outbox`). */
  readonly node: string;
  post(message: OutgoingCode): void;
}
