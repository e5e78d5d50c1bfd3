import type { TotpParams } from '../account/events.js';

export interface TotpCheck {
  readonly secret: string;
  readonly params: TotpParams;
  readonly code: string;
  readonly now: number;
  readonly window: number;
  /**
   * The account's last accepted step (null before its first). Two steps of a window can share a code (about once
   * in 10^6 pairs at 6 digits): a step after this one is then the one returned, so a fresh code is not taken for a
   * replay of the earlier step. A code that matches only steps up to this one still returns one of them, for the
   * caller to refuse as a replay rather than as a wrong code.
   */
  readonly after: number | null;
}

/** Returns the RFC 6238 time step the code matches within ±window steps, or null; see `TotpCheck.after`. */
export interface TotpVerifier {
  verify(check: TotpCheck): Promise<number | null>;
}
