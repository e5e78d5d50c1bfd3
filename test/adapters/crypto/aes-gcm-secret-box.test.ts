import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AesGcmSecretBox } from '../../../adapters/crypto/aes-gcm-secret-box.js';

/** TOTP seeds at rest (docs/design.md, docs/security.md §29): AES-256-GCM, authenticated, a fresh IV per seal. */
const t = suite('AesGcmSecretBox');
const box = new AesGcmSecretBox(randomBytes(32));
const seed = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

const flipByte = (sealed: string, index: number): string => {
  const [v, payload] = sealed.split('.') as [string, string];
  const bytes = Buffer.from(payload, 'base64url');
  bytes[(index + bytes.length) % bytes.length]! ^= 0x01;
  return `${v}.${bytes.toString('base64url')}`;
};

t('round trip, and the sealed form does not contain the plain text', () => {
  const sealed = box.seal(seed);
  assert.ok(sealed.startsWith('v1.'));
  assert.not.ok(sealed.includes(seed));
  assert.is(box.open(sealed), seed);
  assert.is(box.open(box.seal('')), '');
  assert.is(box.open(box.seal('ünïcødé ✓')), 'ünïcødé ✓');
});

t('a fresh IV: two seals of one value differ, both open', () => {
  const a = box.seal(seed);
  const b = box.seal(seed);
  assert.is.not(a, b);
  assert.is.not(Buffer.from(a.slice(3), 'base64url').subarray(0, 12).toString('hex'), Buffer.from(b.slice(3), 'base64url').subarray(0, 12).toString('hex'));
  assert.is(box.open(a), box.open(b));
});

t('tampering with the IV, the ciphertext or the tag throws', () => {
  const sealed = box.seal(seed);
  for (const [where, index] of [
    ['IV', 0],
    ['ciphertext', 12],
    ['tag', -1],
  ] as const) {
    assert.throws(() => box.open(flipByte(sealed, index)), undefined, where);
  }
});

t('truncated, re-versioned or garbage input throws', () => {
  const sealed = box.seal(seed);
  assert.throws(() => box.open(sealed.slice(0, -4)));
  assert.throws(() => box.open(`v2${sealed.slice(2)}`));
  assert.throws(() => box.open(sealed.slice(3)));
  assert.throws(() => box.open('v1.'));
  assert.throws(() => box.open('v1.AAAA'));
  assert.throws(() => box.open(''));
});

t('another key cannot open it', () => {
  const other = new AesGcmSecretBox(randomBytes(32));
  assert.throws(() => other.open(box.seal(seed)));
});

t('a key that is not 32 bytes is refused', () => {
  assert.throws(() => new AesGcmSecretBox(randomBytes(16)));
  assert.throws(() => new AesGcmSecretBox(randomBytes(33)));
});

t.run();
