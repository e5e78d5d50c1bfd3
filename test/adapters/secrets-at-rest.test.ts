import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { codeNow, createUser, startTestServer } from '../helpers/test-server.js';

/** docs/design.md: passwords only as PHC strings, seeds sealed, tokens hashed, codes never. Scan the bytes. */
test('neither the database file nor its WAL nor the log holds a password, seed, code or token in clear', async () => {
  const s = await startTestServer();
  const canaries: string[] = [];
  const quotedCodes: string[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const u = await createUser(s, { password: `canary-password-${i}-${Math.random().toString(36).slice(2)}` });
      canaries.push(u.password, u.secret!);
      const first = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password } });
      canaries.push(first.body.mfa_token);
      const code = codeNow(s, u);
      quotedCodes.push(`"${code}"`);
      await s.call('POST', '/v1/login/mfa', { json: { mfa_token: first.body.mfa_token, otp: '000000' } });
      const done = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: first.body.mfa_token, otp: code, remember_device: true } });
      assert.is(done.status, 200);
      canaries.push(done.body.access_token, done.body.device_token);
      await s.call('POST', '/v1/login', { json: { username: `${u.password}`, password: u.password } });
    }
    const files = ['latchkey.db', 'latchkey.db-wal'].map((f) => join(s.dataDir, f)).filter(existsSync);
    assert.ok(files.length >= 1);
    const bytes = Buffer.concat([...files.map((f) => readFileSync(f)), readFileSync(s.logPath)]);
    for (const c of canaries) assert.is(bytes.indexOf(Buffer.from(c)), -1, 'a canary secret was found at rest');
    for (const q of quotedCodes) assert.is(bytes.indexOf(Buffer.from(q)), -1, 'a TOTP code was found at rest');
  } finally {
    await s.close();
  }
});

test.run();
