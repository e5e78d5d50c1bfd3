import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { base32Bytes, totpCode } from '../../bench/totp-code.js';
import { base32 } from '../../core/base32.js';
import { oathtool } from '../helpers/oathtool.js';
import { readVectorFile } from '../vectors/read-vector-file.js';

interface Rfc6238 {
  readonly seeds: { readonly SHA1: string };
  readonly vectors: readonly { readonly title: string; readonly step: number; readonly algorithm: string; readonly totp: string }[];
}

const test = suite('bench totp code');
const rfc6238 = readVectorFile<Rfc6238>('rfc6238.json');

for (const v of rfc6238.vectors.filter((x) => x.algorithm === 'SHA1')) {
  test(v.title, () => {
    assert.is(totpCode(Buffer.from(rfc6238.seeds.SHA1, 'ascii'), v.step, 8), v.totp);
  });
}

test('base32Bytes inverts base32 for every length mod 5, padded or not, any case', () => {
  for (let n = 0; n <= 25; n++) {
    const bytes = randomBytes(n);
    const text = base32(bytes);
    assert.equal(base32Bytes(text), bytes);
    assert.equal(base32Bytes(text.toLowerCase() + '='.repeat((8 - (text.length % 8)) % 8)), bytes);
  }
  assert.throws(() => base32Bytes('ABC1'), /base32/);
});

test('agrees with oathtool for random seeds and steps', () => {
  for (let i = 0; i < 5; i++) {
    const seed = base32(randomBytes(20));
    const step = 50_000_000 + Math.floor(Math.random() * 10_000_000);
    assert.is(totpCode(base32Bytes(seed), step), oathtool(seed, step * 30_000));
  }
});

test.run();
