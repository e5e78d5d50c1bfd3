import { type KeyObject, createPublicKey, sign as signBytes, verify as verifyBytes } from 'node:crypto';
import { type JWK, exportJWK } from 'jose';
import type { AccessClaims, TokenSigner } from '../../core/ports/token-signer.js';
import { keyId } from './key-id.js';

const typ = 'at+jwt';
const maxTokenLength = 4096;
const jwtShape = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{86})$/;

const encode = (value: object): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

const decodeObject = (segment: string): Record<string, unknown> | null => {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Access tokens as EdDSA JWTs (RFC 9068 `typ: at+jwt`), signed and checked with node:crypto's one-shot Ed25519,
 * which runs in the calling thread. jose does the same work through WebCrypto, whose jobs run on libuv's thread
 * pool: the pool argon2 keeps busy, lowered to nice 19 (lower-hashing-priority.ts), so under a login burst every
 * token took a scheduler slice to sign or check (p99 5 ms against 0.3 ms in this thread, measured with the pool
 * saturated). jose still exports the JWK and its thumbprint, and the tests check our tokens with jose's jwtVerify
 * and jose-made tokens with ours.
 *
 * RFC 8725: the algorithm is allow-listed (EdDSA only, so `none` and HS256-with-the-public-key are refused); `typ`,
 * our `kid`, `iss`, `sub`, `jti`, `iat`, `exp` (now < exp, no tolerance), `sid` and `aal` are required; `nbf`,
 * when present, is honoured; a `crit` header (RFC 7515 §4.1.11: extensions we would have to understand) is
 * refused; the signature must be 64 bytes in canonical base64url, so a token has one spelling.
 */
export class EddsaTokenSigner implements TokenSigner {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly publicJwk: JWK;
  private readonly header: string;
  private readonly kid: string;
  private readonly issuer: string;

  private constructor(privateKey: KeyObject, publicKey: KeyObject, publicJwk: JWK, header: string, kid: string, issuer: string) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.publicJwk = publicJwk;
    this.header = header;
    this.kid = kid;
    this.issuer = issuer;
  }

  static async create(privateKey: KeyObject, issuer: string): Promise<EddsaTokenSigner> {
    const publicKey = createPublicKey(privateKey);
    const jwk = await exportJWK(publicKey);
    const kid = await keyId(publicKey);
    return new EddsaTokenSigner(privateKey, publicKey, { ...jwk, kid, alg: 'EdDSA', use: 'sig' }, encode({ alg: 'EdDSA', typ, kid }), kid, issuer);
  }

  async sign(claims: AccessClaims): Promise<string> {
    const { sid, aal, sub, jti, iat, exp } = claims;
    const input = `${this.header}.${encode({ sid, aal, iss: this.issuer, sub, jti, iat, exp })}`;
    return `${input}.${signBytes(null, Buffer.from(input, 'ascii'), this.privateKey).toString('base64url')}`;
  }

  async verify(token: string, now: number): Promise<AccessClaims | null> {
    if (token.length > maxTokenLength) return null;
    const m = jwtShape.exec(token);
    if (m === null) return null;
    const [, headerPart, payloadPart, signaturePart] = m as unknown as [string, string, string, string];
    const header = decodeObject(headerPart);
    if (header === null || header.alg !== 'EdDSA' || header.typ !== typ || header.kid !== this.kid || 'crit' in header) return null;
    const signature = Buffer.from(signaturePart, 'base64url');
    if (signature.length !== 64 || signature.toString('base64url') !== signaturePart) return null;
    if (!verifyBytes(null, Buffer.from(`${headerPart}.${payloadPart}`, 'ascii'), this.publicKey, signature)) return null;
    const p = decodeObject(payloadPart);
    if (p === null || p.iss !== this.issuer) return null;
    const { sub, jti, iat, exp, nbf, sid, aal } = p;
    if (typeof sub !== 'string' || typeof jti !== 'string' || typeof sid !== 'string' || (aal !== 'aal1' && aal !== 'aal2')) return null;
    if (!isTime(iat) || !isTime(exp) || (nbf !== undefined && !isTime(nbf))) return null;
    const nowSeconds = Math.floor(now / 1000);
    if (exp <= nowSeconds || (nbf !== undefined && nbf > nowSeconds)) return null;
    return { sub, jti, iat, exp, sid, aal };
  }

  jwks(): { readonly keys: readonly object[] } {
    return { keys: [this.publicJwk] };
  }
}
