import { createPublicKey, generateKeyPairSync, pbkdf2, sign } from 'node:crypto';
import { SignJWT, base64url, createLocalJWKSet, jwtVerify } from 'jose';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EddsaTokenSigner } from '../../../adapters/crypto/eddsa-token-signer.js';
import type { AccessClaims } from '../../../core/ports/token-signer.js';

/** RFC 8725 / docs/security.md §12: only our EdDSA tokens, with our kid, typ and an unexpired exp, verify. */
const t = suite<{ signer: EddsaTokenSigner; kid: string }>('EddsaTokenSigner');
const { privateKey } = generateKeyPairSync('ed25519');
const publicKey = createPublicKey(privateKey);
const issuer = 'Latchkey-test';

const now = 1_736_154_000_000;
const iat = Math.floor(now / 1000);
const claims: AccessClaims = { sub: 'acc-1', sid: 'ses-1', jti: 'jti-1', aal: 'aal2', iat, exp: iat + 900 };

t.before(async (ctx) => {
  ctx.signer = await EddsaTokenSigner.create(privateKey, issuer);
  ctx.kid = (ctx.signer.jwks().keys[0] as { kid: string }).kid;
});

/** A token made outside the signer, to vary one thing at a time. */
const forge = (
  kid: string,
  opts: { header?: Record<string, unknown>; payload?: Record<string, unknown>; exp?: number | null; key?: Parameters<SignJWT['sign']>[0] } = {},
): Promise<string> => {
  let jwt = new SignJWT({ sid: claims.sid, aal: claims.aal, ...opts.payload })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid, ...opts.header } as { alg: string })
    .setIssuer(issuer)
    .setSubject(claims.sub)
    .setJti(claims.jti)
    .setIssuedAt(claims.iat);
  if (opts.exp !== null) jwt = jwt.setExpirationTime(opts.exp ?? claims.exp);
  return jwt.sign(opts.key ?? privateKey);
};
/** A token made by hand with our key: for headers and claims jose would not write. */
const handMade = (header: Record<string, unknown>, payload: Record<string, unknown>): string => {
  const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}`;
  return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
};
const ourClaims = { sid: claims.sid, aal: claims.aal, iss: issuer, sub: claims.sub, jti: claims.jti, iat: claims.iat, exp: claims.exp };
const part = (token: string, i: number): string => token.split('.')[i]!;
const withPart = (token: string, i: number, value: string): string => token.split('.').map((p, j) => (j === i ? value : p)).join('.');
const flipBit = (segment: string, byte: number, bit = 0): string => {
  const b = Buffer.from(segment, 'base64url');
  b[byte]! ^= 1 << bit;
  return b.toString('base64url');
};

t('a token it signed verifies to the same claims', async ({ signer }) => {
  const token = await signer.sign(claims);
  assert.equal(await signer.verify(token, now), claims);
});

t('the header is EdDSA, at+jwt, our kid', async ({ signer, kid }) => {
  const header = JSON.parse(Buffer.from(part(await signer.sign(claims), 0), 'base64url').toString()) as Record<string, unknown>;
  assert.equal(header, { alg: 'EdDSA', typ: 'at+jwt', kid });
});

t('a token forged the same way as the signer verifies (the forge helper is a fair baseline)', async ({ signer, kid }) => {
  assert.equal(await signer.verify(await forge(kid), now), claims);
});

t('exp edge: accepted at exp·1000 − 1 ms, rejected at exp·1000 and exp·1000 + 1 ms (jose: exp <= now, no tolerance)', async ({ signer }) => {
  const token = await signer.sign(claims);
  assert.equal(await signer.verify(token, claims.exp * 1000 - 1), claims);
  assert.is(await signer.verify(token, claims.exp * 1000), null);
  assert.is(await signer.verify(token, claims.exp * 1000 + 1), null);
});

t('a flipped bit anywhere in the signature is rejected', async ({ signer }) => {
  const token = await signer.sign(claims);
  const sig = part(token, 2);
  for (const byte of [0, 31, 32, 63]) {
    for (const bit of [0, 7]) assert.is(await signer.verify(withPart(token, 2, flipBit(sig, byte, bit)), now), null, `byte ${byte} bit ${bit}`);
  }
});

t('a flipped bit in the payload, or a changed claim, is rejected', async ({ signer }) => {
  const token = await signer.sign(claims);
  const payload = part(token, 1);
  assert.is(await signer.verify(withPart(token, 1, flipBit(payload, 5)), now), null);
  const raised = { ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as object), aal: 'aal2', sub: 'acc-2' };
  assert.is(await signer.verify(withPart(token, 1, base64url.encode(JSON.stringify(raised))), now), null);
});

t('alg:none is rejected, with an empty or a made-up signature', async ({ signer, kid }) => {
  const token = await signer.sign(claims);
  const none = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid }));
  assert.is(await signer.verify(`${none}.${part(token, 1)}.`, now), null);
  assert.is(await signer.verify(`${none}.${part(token, 1)}.${part(token, 2)}`, now), null);
  assert.is(await signer.verify(`${none}.${part(token, 1)}.AAAA`, now), null);
});

t('HS256 signed with the public key (PEM, DER, raw x) as the HMAC secret is rejected', async ({ signer, kid }) => {
  const x = (signer.jwks().keys[0] as { x: string }).x;
  for (const secret of [
    new TextEncoder().encode(publicKey.export({ format: 'pem', type: 'spki' }).toString()),
    new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    base64url.decode(x),
  ]) {
    assert.is(await signer.verify(await forge(kid, { header: { alg: 'HS256' }, key: secret }), now), null);
  }
});

t('a token without exp is rejected', async ({ signer, kid }) => {
  assert.is(await signer.verify(await forge(kid, { exp: null }), now), null);
});

t('a wrong or missing typ is rejected (a partial token is not an access token)', async ({ signer, kid }) => {
  assert.is(await signer.verify(await forge(kid, { header: { typ: 'JWT' } }), now), null);
  assert.is(await signer.verify(await forge(kid, { header: { typ: 'mfa+jwt' } }), now), null);
  assert.is(await signer.verify(await forge(kid, { header: { typ: undefined } }), now), null);
});

t('an unknown or missing kid is rejected, and so is our kid on another key', async ({ signer, kid }) => {
  assert.is(await signer.verify(await forge('not-our-kid'), now), null);
  assert.is(await signer.verify(await forge(kid, { header: { kid: undefined } }), now), null);
  assert.is(await signer.verify(await forge(kid, { key: generateKeyPairSync('ed25519').privateKey }), now), null);
});

t('a wrong issuer, or a missing sid, or an aal we do not issue is rejected', async ({ signer, kid }) => {
  const otherIssuer = await new SignJWT({ sid: 'ses-1', aal: 'aal2' })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid })
    .setIssuer('someone-else')
    .setSubject('acc-1')
    .setJti('jti-1')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 900)
    .sign(privateKey);
  assert.is(await signer.verify(otherIssuer, now), null);
  assert.is(await signer.verify(await forge(kid, { payload: { sid: undefined } }), now), null);
  assert.is(await signer.verify(await forge(kid, { payload: { aal: 'aal3' } }), now), null);
});

t('a crit header is rejected: it names extensions the verifier would have to understand (RFC 7515 §4.1.11)', async ({ signer, kid }) => {
  assert.equal(await signer.verify(handMade({ alg: 'EdDSA', typ: 'at+jwt', kid }, ourClaims), now), claims, 'the hand-made baseline verifies');
  assert.is(await signer.verify(handMade({ alg: 'EdDSA', typ: 'at+jwt', kid, crit: ['urn:x'], 'urn:x': 1 }, ourClaims), now), null);
});

t('nbf is honoured when present: a token not yet valid is rejected, one already valid accepted', async ({ signer, kid }) => {
  assert.is(await signer.verify(await forge(kid, { payload: { nbf: iat + 60 } }), now), null);
  assert.equal(await signer.verify(await forge(kid, { payload: { nbf: iat - 60 } }), now), claims);
  assert.is(await signer.verify(await forge(kid, { payload: { nbf: 'soon' } }), now), null);
});

t('exp, iat must be numbers; sub, jti strings', async ({ signer, kid }) => {
  for (const change of [{ exp: String(claims.exp) }, { exp: undefined }, { iat: 'now' }, { iat: undefined }, { sub: 1 }, { jti: null }, { iss: undefined }]) {
    assert.is(await signer.verify(handMade({ alg: 'EdDSA', typ: 'at+jwt', kid }, { ...ourClaims, ...change }), now), null, JSON.stringify(change));
  }
});

t('the signature has one spelling: a non-canonical base64url of the same 64 bytes is rejected', async ({ signer }) => {
  const token = await signer.sign(claims);
  const sig = part(token, 2);
  // 86 characters carry 516 bits for 512: the last character's low 4 bits are padding; set one of them.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(sig.at(-1)!);
  const respelled = sig.slice(0, -1) + alphabet[last ^ 1]!;
  assert.equal(Buffer.from(respelled, 'base64url'), Buffer.from(sig, 'base64url'), 'the same bytes');
  assert.is(await signer.verify(withPart(token, 2, respelled), now), null);
  assert.equal(await signer.verify(token, now), claims);
});

t('signing and checking run in this thread: they finish while every libuv pool thread is taken', async ({ signer }) => {
  // argon2 and WebCrypto share libuv's pool; a token must not wait for it. Four long PBKDF2 jobs fill the default
  // pool of four: tokens signed and checked meanwhile are done before any of them ends.
  let poolJobsDone = 0;
  const jobs = Array.from({ length: Number(process.env.UV_THREADPOOL_SIZE ?? 4) }, () => new Promise<void>((r) => pbkdf2('p', 's', 400_000, 32, 'sha256', () => r(void poolJobsDone++))));
  for (let i = 0; i < 20; i++) assert.equal(await signer.verify(await signer.sign({ ...claims, jti: `j${i}` }), now), { ...claims, jti: `j${i}` });
  assert.is(poolJobsDone, 0);
  await Promise.all(jobs);
});

t('garbage is rejected without a throw', async ({ signer }) => {
  const token = await signer.sign(claims);
  for (const g of ['', 'garbage', 'a.b.c', '..', 'a.b', `${token}.x`, `${token}=`, `${token} `, ' '.repeat(10), 'x'.repeat(5000), `${part(token, 0)}.e30.${part(token, 2)}`]) {
    assert.is(await signer.verify(g, now), null, `length ${g.length}`);
  }
});

t('JWKS: the public key only (no private d), usable by an independent verifier', async ({ signer, kid }) => {
  const jwks = signer.jwks();
  assert.is(jwks.keys.length, 1);
  const jwk = jwks.keys[0] as Record<string, unknown>;
  assert.not.ok('d' in jwk);
  assert.equal({ kty: jwk.kty, crv: jwk.crv, alg: jwk.alg, use: jwk.use, kid: jwk.kid }, { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid });
  const { payload } = await jwtVerify(await signer.sign(claims), createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]), { currentDate: new Date(now) });
  assert.is(payload.sub, claims.sub);
});

t.run();
