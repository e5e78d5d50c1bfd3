import { createPublicKey, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type Keys, loadOrCreateKeys, parseSecretKey } from '../../../adapters/crypto/keys.js';

/** Keys at first start: generated once, owner-only (0600), never overwritten; a configured secret must be 32 bytes. */
const t = suite<{ dirs: string[] }>('loadOrCreateKeys');
t.before((ctx) => {
  ctx.dirs = [];
});
t.after(({ dirs }) => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tempDir = (dirs: string[]): string => {
  const d = mkdtempSync(join(tmpdir(), 'latchkey-keys-'));
  dirs.push(d);
  return d;
};
const noEnv = { LATCHKEY_SECRET_KEY: undefined, LATCHKEY_ADMIN_KEY: undefined };
const publicPem = (k: Keys): string => createPublicKey(k.signingKey).export({ format: 'pem', type: 'spki' }).toString();

t('first call generates secret.key, signing-key.pem and admin.key with mode 0600', async ({ dirs }) => {
  const dir = tempDir(dirs);
  const keys = await loadOrCreateKeys(dir, noEnv);
  for (const f of ['secret.key', 'signing-key.pem', 'admin.key']) {
    assert.ok(existsSync(join(dir, f)), f);
    assert.is(statSync(join(dir, f)).mode & 0o777, 0o600, f);
  }
  assert.is(keys.adminKeyCreated, true);
  assert.is(keys.sealKey.length, 32);
  assert.is(keys.hmacKey.length, 32);
  assert.not.ok(keys.sealKey.equals(keys.hmacKey), 'seal and HMAC keys are independent');
  assert.is(keys.signingKey.asymmetricKeyType, 'ed25519');
  assert.is(keys.signingKey.type, 'private');
  assert.is(readFileSync(join(dir, 'admin.key'), 'utf8').trim(), keys.adminKey);
  assert.is(parseSecretKey(readFileSync(join(dir, 'secret.key'), 'utf8')).length, 32);
});

t('second call reuses the files: same keys, nothing rewritten, admin key not reported as new', async ({ dirs }) => {
  const dir = tempDir(dirs);
  const first = await loadOrCreateKeys(dir, noEnv);
  const before = ['secret.key', 'signing-key.pem', 'admin.key'].map((f) => readFileSync(join(dir, f), 'utf8'));
  const second = await loadOrCreateKeys(dir, noEnv);
  assert.ok(second.sealKey.equals(first.sealKey));
  assert.ok(second.hmacKey.equals(first.hmacKey));
  assert.is(publicPem(second), publicPem(first));
  assert.is(second.adminKey, first.adminKey);
  assert.is(second.adminKeyCreated, false);
  assert.equal(['secret.key', 'signing-key.pem', 'admin.key'].map((f) => readFileSync(join(dir, f), 'utf8')), before);
});

t('two data dirs get different keys', async ({ dirs }) => {
  const a = await loadOrCreateKeys(tempDir(dirs), noEnv);
  const b = await loadOrCreateKeys(tempDir(dirs), noEnv);
  assert.not.ok(a.sealKey.equals(b.sealKey));
  assert.is.not(publicPem(a), publicPem(b));
  assert.is.not(a.adminKey, b.adminKey);
});

t('LATCHKEY_SECRET_KEY as hex and as base64 of the same bytes give the same keys, and no secret.key is written', async ({ dirs }) => {
  const secret = randomBytes(32);
  const dirHex = tempDir(dirs);
  const dirB64 = tempDir(dirs);
  const hex = await loadOrCreateKeys(dirHex, { LATCHKEY_SECRET_KEY: secret.toString('hex'), LATCHKEY_ADMIN_KEY: undefined });
  const b64 = await loadOrCreateKeys(dirB64, { LATCHKEY_SECRET_KEY: secret.toString('base64'), LATCHKEY_ADMIN_KEY: undefined });
  assert.ok(hex.sealKey.equals(b64.sealKey));
  assert.ok(hex.hmacKey.equals(b64.hmacKey));
  assert.not.ok(existsSync(join(dirHex, 'secret.key')));
  assert.not.ok(existsSync(join(dirB64, 'secret.key')));
  assert.not.ok(hex.sealKey.equals(secret), 'the seal key is derived, not the secret itself');
});

t('parseSecretKey: hex (either case), base64, base64url and surrounding whitespace are accepted', () => {
  const secret = randomBytes(32);
  for (const text of [secret.toString('hex'), secret.toString('hex').toUpperCase(), secret.toString('base64'), secret.toString('base64url'), `  ${secret.toString('base64')}\n`]) {
    assert.ok(parseSecretKey(text).equals(secret));
  }
});

t('a secret of the wrong length is refused, here and at load', async ({ dirs }) => {
  for (const text of [randomBytes(31).toString('hex'), randomBytes(33).toString('hex'), randomBytes(16).toString('base64'), randomBytes(33).toString('base64'), 'not a key', '']) {
    assert.throws(() => parseSecretKey(text), /32 bytes/, `length ${text.length}`);
  }
  const dir = tempDir(dirs);
  try {
    await loadOrCreateKeys(dir, { LATCHKEY_SECRET_KEY: randomBytes(16).toString('hex'), LATCHKEY_ADMIN_KEY: undefined });
    assert.unreachable('a 16-byte secret was accepted');
  } catch (e) {
    assert.match(String(e), /32 bytes/);
  }
});

t('LATCHKEY_ADMIN_KEY is used as given and no admin.key is written', async ({ dirs }) => {
  const dir = tempDir(dirs);
  const admin = randomBytes(24).toString('base64url');
  const keys = await loadOrCreateKeys(dir, { LATCHKEY_SECRET_KEY: undefined, LATCHKEY_ADMIN_KEY: admin });
  assert.is(keys.adminKey, admin);
  assert.is(keys.adminKeyCreated, false);
  assert.not.ok(existsSync(join(dir, 'admin.key')));
});

t.run();
