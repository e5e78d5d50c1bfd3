import type { TotpParams } from '../account/events.js';

export interface TotpCheck {
  readonly secret: string;
  readonly params: TotpParams;
  readonly code: string;
  readonly now: number;
  readonly window: number;
}

/** Returns the RFC 6238 time step the code matches within ±window steps, or null. */
export interface TotpVerifier {
  verify(check: TotpCheck): Promise<number | null>;
}
