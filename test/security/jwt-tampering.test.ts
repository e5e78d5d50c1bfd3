import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type JWTPayload, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import * as assert from 'uvu/assert';
import { serverSuite } from '../helpers/server-suite.js';
import { createUser } from '../helpers/test-server.js';
import { accountStream, streamEvents, typesOf } from './helpers/audit-events.js';
import { login, sessionOf } from './helpers/native-api.js';
import { assertNoLeak } from './helpers/secret-leaks.js';
import { codeAt } from './helpers/totp-codes.js';

/**
 * RFC 8725 §2.1/§3.1 (algorithm allow-list, never `none`; no key confusion), §3.11 (`typ`), RFC 7519 §4.1.4 (`exp`),
 * ASVS v5 9.1.2/9.2.1. Every forgery below reuses the claims of a live session, so only the tampered property can be
 * why it is refused; the controls, signed the same way with the server's own key, prove the forging is sound.
 */
const t = serverSuite('security: JWT tampering');

const b64 = (x: string | Buffer): string => Buffer.from(x).toString('base64url');
const json = (x: object): string => b64(JSON.stringify(x));
const hs256 = (header: object, payload: object, key: Buffer | string): string => {
  const input = `${json(header)}.${json(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
};
const flipBit = (part: string, byte: number): string => {
  const bytes = Buffer.from(part, 'base64url');
  bytes[byte] = bytes[byte]! ^ 0x01;
  return bytes.toString('base64url');
};

t('12. flipped bit, alg:none, HS256 with the public key, no exp, unknown kid → refused by /v1/session and refresh', async ({ s }) => {
  const a = await createUser(s);
  const r = await login(s, { username: a.username, password: a.password, otp: codeAt(a, s.clock.now()) });
  assert.is(r.status, 200);
  const token = r.body.access_token as string;
  const [h, p, sig] = token.split('.') as [string, string, string];
  const header = decodeProtectedHeader(token);
  const claims = decodeJwt(token);
  const sessionStream = `session-${claims.sid}`;
  assert.equal(typesOf(await streamEvents(s, sessionStream)), ['SessionIssued']);

  const jwk = (await s.call('GET', '/.well-known/jwks.json')).body.keys[0] as { kid: string; x: string; crv: string; kty: string };
  assert.is(jwk.kid, header.kid);
  const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
  const spkiPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const spkiDer = publicKey.export({ format: 'der', type: 'spki' });
  // The server's own signing key, read from its data dir: a forgery that differs from a good token in one property.
  const serverKey = createPrivateKey(readFileSync(join(s.dataDir, 'signing-key.pem'), 'utf8'));
  const sign = (payload: JWTPayload, protectedHeader: Record<string, unknown> = { alg: 'EdDSA', typ: 'at+jwt', kid: header.kid }, key = serverKey) =>
    new SignJWT(payload).setProtectedHeader(protectedHeader as { alg: string }).sign(key);
  const { exp: _exp, ...noExp } = claims;
  const nowSec = Math.floor(s.clock.now() / 1000);
  const stranger = generateKeyPairSync('ed25519').privateKey;
  const otherAccount = await createUser(s, { totp: false });

  const forgeries: [string, string][] = [
    ['a flipped bit in the signature', `${h}.${p}.${flipBit(sig, 10)}`],
    ['a flipped bit in the last signature byte', `${h}.${p}.${flipBit(sig, 63)}`],
    ['a flipped bit in the payload', `${h}.${flipBit(p, 5)}.${sig}`],
    ['a flipped bit in the header', `${flipBit(h, 3)}.${p}.${sig}`],
    ["another account's sub under the old signature", `${h}.${json({ ...claims, sub: otherAccount.id })}.${sig}`],
    ['aal raised under the old signature', `${h}.${json({ ...claims, aal: 'aal3' })}.${sig}`],
    ['alg:none, empty signature', `${json({ alg: 'none', typ: 'at+jwt', kid: header.kid })}.${p}.`],
    ['alg:none, old signature', `${json({ alg: 'none', typ: 'at+jwt', kid: header.kid })}.${p}.${sig}`],
    ['alg:None', `${json({ alg: 'None', typ: 'at+jwt', kid: header.kid })}.${p}.`],
    ['HS256 keyed with the raw public key', hs256({ alg: 'HS256', typ: 'at+jwt', kid: header.kid }, claims, Buffer.from(jwk.x, 'base64url'))],
    ['HS256 keyed with the JWK x string', hs256({ alg: 'HS256', typ: 'at+jwt', kid: header.kid }, claims, jwk.x)],
    ['HS256 keyed with the JWKS JSON', hs256({ alg: 'HS256', typ: 'at+jwt', kid: header.kid }, claims, JSON.stringify(jwk))],
    ['HS256 keyed with the SPKI PEM', hs256({ alg: 'HS256', typ: 'at+jwt', kid: header.kid }, claims, spkiPem)],
    ['HS256 keyed with the SPKI DER', hs256({ alg: 'HS256', typ: 'at+jwt', kid: header.kid }, claims, spkiDer)],
    ['no exp (signed with the server key)', await sign(noExp)],
    ['exp = now (signed with the server key)', await sign({ ...claims, exp: nowSec })],
    ['an unknown kid (signed with the server key)', await sign(claims, { alg: 'EdDSA', typ: 'at+jwt', kid: 'not-a-key-of-ours' })],
    ['no kid (signed with the server key)', await sign(claims, { alg: 'EdDSA', typ: 'at+jwt' })],
    ['typ JWT instead of at+jwt (signed with the server key)', await sign(claims, { alg: 'EdDSA', typ: 'JWT', kid: header.kid })],
    ['our kid, signed by a stranger key', await sign(claims, { alg: 'EdDSA', typ: 'at+jwt', kid: header.kid }, stranger)],
  ];
  for (const [what, forged] of forgeries) {
    assert.is.not(forged, token, what);
    const me = await s.call('GET', '/v1/session', { token: forged });
    assert.is(me.status, 401, `${what}: GET /v1/session`);
    assert.equal(me.body, { error: 'invalid_token', message: 'The access token is not valid.' }, what);
    const refreshed = await s.call('POST', '/v1/token/refresh', { token: forged });
    assert.is(refreshed.status, 401, `${what}: POST /v1/token/refresh`);
    assert.not.ok('access_token' in (refreshed.body ?? {}), what);
  }
  assert.equal(typesOf(await streamEvents(s, sessionStream)), ['SessionIssued'], 'no refresh, no revocation recorded');
  assert.equal(typesOf(await streamEvents(s, accountStream(otherAccount))), ['AccountRegistered']);

  // Controls: the same forging with every property right is accepted (so the refusals above are the properties').
  assert.is((await sessionOf(s, await sign(claims))).status, 200, 'control: re-signed as issued');
  assert.is((await sessionOf(s, await sign({ ...claims, exp: nowSec + 1 }))).status, 200, 'control: exp one second ahead');
  assert.is((await sessionOf(s, token)).status, 200, 'the real token survived every attempt');
  await assertNoLeak(s, { secrets: [a.password, a.secret!, token], streams: [accountStream(a), sessionStream] });
});

t.run();
