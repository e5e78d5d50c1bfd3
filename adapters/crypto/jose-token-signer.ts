import { type KeyObject, createPublicKey } from 'node:crypto';
import { type JWK, SignJWT, calculateJwkThumbprint, decodeProtectedHeader, exportJWK, jwtVerify } from 'jose';
import type { AccessClaims, TokenSigner } from '../../core/ports/token-signer.js';

const typ = 'at+jwt';
const maxTokenLength = 4096;
const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Access tokens as EdDSA JWTs (RFC 9068 `typ: at+jwt`). RFC 8725: the algorithm is allow-listed (EdDSA only, so
 * `none` and HS256-with-the-public-key are refused), `typ`, `exp` and every claim we rely on are required, and a
 * `kid` other than ours is refused before any signature work.
 */
export class JoseTokenSigner implements TokenSigner {
  private constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
    private readonly publicJwk: JWK,
    private readonly kid: string,
    private readonly issuer: string,
  ) {}

  static async create(privateKey: KeyObject, issuer: string): Promise<JoseTokenSigner> {
    const publicKey = createPublicKey(privateKey);
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    return new JoseTokenSigner(privateKey, publicKey, { ...jwk, kid, alg: 'EdDSA', use: 'sig' }, kid, issuer);
  }

  sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ sid: claims.sid, aal: claims.aal })
      .setProtectedHeader({ alg: 'EdDSA', typ, kid: this.kid })
      .setIssuer(this.issuer)
      .setSubject(claims.sub)
      .setJti(claims.jti)
      .setIssuedAt(claims.iat)
      .setExpirationTime(claims.exp)
      .sign(this.privateKey);
  }

  async verify(token: string, now: number): Promise<AccessClaims | null> {
    if (token.length > maxTokenLength || !jwtShape.test(token)) return null;
    try {
      if (decodeProtectedHeader(token).kid !== this.kid) return null;
      const { payload } = await jwtVerify(token, this.publicKey, {
        algorithms: ['EdDSA'],
        typ,
        issuer: this.issuer,
        currentDate: new Date(now),
        requiredClaims: ['sub', 'jti', 'iat', 'exp'],
        clockTolerance: 0,
      });
      const { sub, jti, iat, exp, sid, aal } = payload;
      if (typeof sid !== 'string' || (aal !== 'aal1' && aal !== 'aal2')) return null;
      return { sub: sub!, jti: jti!, iat: iat!, exp: exp!, sid, aal };
    } catch {
      return null;
    }
  }

  jwks(): { readonly keys: readonly object[] } {
    return { keys: [this.publicJwk] };
  }
}
