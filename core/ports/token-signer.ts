import type { Aal } from '../account/events.js';

export interface AccessClaims {
  readonly sub: string;
  readonly sid: string;
  readonly jti: string;
  readonly aal: Aal;
  readonly iat: number;
  readonly exp: number;
}

/** Signs and checks access tokens (RFC 8725: algorithm allow-list, `typ`, `exp`). */
export interface TokenSigner {
  sign(claims: AccessClaims): Promise<string>;
  /** The claims of a well-signed, unexpired access token, or null. `now` in ms. */
  verify(token: string, now: number): Promise<AccessClaims | null>;
  jwks(): { readonly keys: readonly object[] };
}
