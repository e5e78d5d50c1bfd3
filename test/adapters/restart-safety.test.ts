import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { codeNow, createUser, startTestServer } from '../helpers/test-server.js';

const cli = new URL('../../adapters/cli/main.js', import.meta.url).pathname;
const latchkey = (dataDir: string, ...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, LATCHKEY_DATA_DIR: dataDir }, encoding: 'utf8' });

test('users, factors, locks and last accepted TOTP steps survive a restart; replay and verify agree', async () => {
  const first = await startTestServer();
  const { dataDir, clock, adminKey } = first;
  const alice = await createUser(first);
  const mallory = await createUser(first);
  const code = codeNow(first, alice);
  assert.is((await first.call('POST', '/v1/login', { json: { username: alice.username, password: alice.password, otp: code } })).status, 200);
  for (let i = 0; i < 5; i++) await first.call('POST', '/v1/login', { json: { username: mallory.username, password: 'wrong-password' } });
  await first.close({ keepData: true });

  const second = await startTestServer({ dataDir, clock, adminKey });
  try {
    const replayed = await second.call('POST', '/v1/login', { json: { username: alice.username, password: alice.password, otp: code } });
    assert.is(replayed.status, 401, 'the last accepted step is still in force');
    const locked = await second.call('POST', '/v1/login', { json: { username: mallory.username, password: mallory.password, otp: codeNow(second, mallory) } });
    assert.is(locked.status, 401, 'the lock is still in force');
    const next = await second.call('POST', '/v1/login', { json: { username: alice.username, password: alice.password, otp: codeNow(second, alice, 1) } });
    assert.is(next.status, 200, 'the user and factor are still there');
    clock.advance(61_000);
    const unlocked = await second.call('POST', '/v1/login', { json: { username: mallory.username, password: mallory.password, otp: codeNow(second, mallory) } });
    assert.is(unlocked.status, 200, 'the one-minute lock ends on time after the restart');
  } finally {
    await second.close({ keepData: true });
  }

  const replay = latchkey(dataDir, 'replay');
  assert.is(replay.status, 0, replay.stdout + replay.stderr);
  assert.match(replay.stdout, /equal/);
  const verify = latchkey(dataDir, 'verify');
  assert.is(verify.status, 0, verify.stdout + verify.stderr);

  // A tampered copy: one byte of one event changed behind the triggers' back.
  const tamperDir = mkdtempSync(join(tmpdir(), 'latchkey-tamper-'));
  try {
    copyFileSync(join(dataDir, 'latchkey.db'), join(tamperDir, 'latchkey.db'));
    const db = new Database(join(tamperDir, 'latchkey.db'));
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as { name: string }[];
    for (const { name } of triggers) db.exec(`DROP TRIGGER "${name}"`);
    db.prepare("UPDATE events SET data = replace(data, 'failures\":1', 'failures\":0') WHERE type = 'PasswordRejected'").run();
    db.close();
    const broken = latchkey(tamperDir, 'verify');
    assert.is(broken.status, 1, broken.stdout);
    assert.match(broken.stdout, /BROKEN at seq \d+/);
  } finally {
    rmSync(tamperDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the CLI creates a TOTP user that logs in with an oathtool code', async () => {
  const s = await startTestServer();
  try {
    const out = execFileSync(process.execPath, [cli, 'user', 'add', 'Carol', '--password-stdin', '--totp'], {
      env: { ...process.env, LATCHKEY_DATA_DIR: s.dataDir },
      input: 'correct horse battery staple\n',
      encoding: 'utf8',
    });
    const secret = /secret=([A-Z2-7]+)/.exec(out)?.[1];
    assert.ok(secret, 'the otpauth URI is printed');
    assert.match(out, /pending/);
    const confirm = await s.admin('POST', '/v1/admin/users/carol/totp/confirm', { json: { otp: (await import('../helpers/oathtool.js')).oathtool(secret!, s.clock.now() - 30_000) } });
    assert.is(confirm.status, 204);
    const code = (await import('../helpers/oathtool.js')).oathtool(secret!, s.clock.now());
    const r = await s.call('POST', '/v1/login', { json: { username: 'CAROL', password: 'correct horse battery staple', otp: code } });
    assert.is(r.status, 200);
  } finally {
    await s.close();
  }
});

test.run();
