/**
 * What became of one mailed code (the outbox, docs/design.md "E-mail codes"), on the stream that issued it: a login
 * code on its challenge, an address-verification code on its account. The same facts on both, so the types are shared.
 */
export type DeliveryEvent =
  | { type: 'EmailCodeDelivered'; data: { codeId: string; attempt: number } }
  /** `smtpCode`: the server's reply code (0 when none came: refused connection, timeout); `final`: no retry follows. */
  | { type: 'EmailDeliveryFailed'; data: { codeId: string; attempt: number; smtpCode: number; final: boolean } }
  /**
   * The clear code is gone before it was sent (it lives only in the sending process's memory): `restart`, the process
   * that held it stopped. The code can never be delivered; the user asks for a new one (docs/security.md §38).
   */
  | { type: 'EmailCodeAbandoned'; data: { codeId: string; reason: 'restart' } };

export type DeliveryOutcome =
  | { readonly kind: 'delivered'; readonly attempt: number }
  | { readonly kind: 'failed'; readonly attempt: number; readonly smtpCode: number; readonly final: boolean }
  | { readonly kind: 'abandoned'; readonly reason: 'restart' };
