import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { base32 } from '../../core/base32.js';
import { base64url } from '../../core/base64url.js';
import { readVectorFile } from '../vectors/read-vector-file.js';

interface Rfc4648 {
  readonly base32: readonly { readonly title: string; readonly input: string; readonly output: string }[];
  readonly base64: readonly { readonly title: string; readonly input: string; readonly output: string }[];
}

const t = suite('base32 / base64url (RFC 4648)');
const vectors = readVectorFile<Rfc4648>('rfc4648.json');
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const unpadded = (s: string): string => s.replace(/=+$/, '');

t('the vector file holds all seven inputs of each table', () => {
  assert.is(vectors.base32.length, 7);
  assert.is(vectors.base64.length, 7);
});

for (const v of vectors.base32) t(v.title, () => assert.is(base32(bytes(v.input)), unpadded(v.output)));
for (const v of vectors.base64) t(`${v.title} (base64url, unpadded)`, () => assert.is(base64url(bytes(v.input)), unpadded(v.output)));

t('the RFC 6238 SHA1 seed', () => {
  assert.is(base32(bytes('12345678901234567890')), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
});

t('base64url agrees with node on bytes that use the URL alphabet (0xfb, 0xff)', () => {
  assert.is(base64url(new Uint8Array([0xfb, 0xff, 0xbf])), '-_-_');
  for (let n = 0; n < 40; n++) {
    const b = randomBytes(n);
    assert.is(base64url(b), b.toString('base64url'));
  }
});

t('base32 of every length 0…40 decodes back (checked with a reference decoder)', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const decode = (s: string): Buffer => {
    let bits = '';
    for (const c of s) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
    const out: number[] = [];
    for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
    return Buffer.from(out);
  };
  for (let n = 0; n <= 40; n++) {
    const b = randomBytes(n);
    const s = base32(b);
    assert.is(s.length, Math.ceil((n * 8) / 5));
    assert.ok(decode(s).equals(b));
  }
});

t.run();
