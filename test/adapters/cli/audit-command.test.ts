import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadOrCreateKeys } from '../../../adapters/crypto/keys.js';
import { readHmacKey } from '../../../adapters/crypto/read-hmac-key.js';
import { tamperedCopy } from '../../helpers/tampered-copy.js';
import { type RealLog, latchkey, makeRealLog } from './audit-cli-fixture.js';

const test = suite<{ log: RealLog }>('latchkey audit (CLI)');
test.before(async (ctx) => {
  ctx.log = await makeRealLog();
});
test.after(({ log }) => rmSync(log.dataDir, { recursive: true, force: true }));

const ndjson = (text: string) => text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
const digestOf = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

test('history: the chain line first, then a table of the account, its sessions, challenges and device', ({ log }) => {
  const r = latchkey(log.dataDir, 'audit', 'history', 'ALICE');
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^hash chain: ok \(\d+ events verified\)$/);
  assert.match(lines[1]!, /^time\s+seq\s+dialect\s+ip\s+event\s+reason\s+stream$/);
  const rejected = lines.filter((l) => / PasswordRejected /.test(l));
  assert.is(rejected.length, 2);
  assert.ok(rejected.every((l) => /\snative\s+127\.0\.0\.1\s+PasswordRejected\s+password\s+account:/.test(l)), rejected.join('\n'));
  for (const type of ['AccountRegistered', 'ChallengeIssued', 'SessionIssued', 'SessionRefreshed', 'DeviceRemembered', 'DeviceRotated']) assert.ok(lines.some((l) => l.includes(` ${type} `)), type);
  assert.not.ok(r.stdout.includes('bob'));
});

test('history --json: NDJSON, the chain first; unknown-user attempts under the canonical name', ({ log }) => {
  const r = latchkey(log.dataDir, 'audit', 'history', ' Ghost', '--json');
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, '');
  const [chain, ...rows] = ndjson(r.stdout);
  assert.is(chain!.chain.ok, true);
  assert.equal(rows.map((e) => [e.type, e.reason, e.dialect, e.ip]), [['UnknownUserAttempted', 'unknown_user', 'native', '127.0.0.1']]);
  assert.match(rows[0]!.stream, /^probe-/);
});

test('an unknown name: the same answer shape, empty', ({ log }) => {
  const json = latchkey(log.dataDir, 'audit', 'history', 'nobody-here', '--json');
  assert.is(json.status, 0);
  assert.equal(ndjson(json.stdout).length, 1);
  const text = latchkey(log.dataDir, 'audit', 'history', 'nobody-here');
  assert.is(text.status, 0);
  assert.is(text.stdout.trimEnd().split('\n')[1], 'no events');
});

test('failures --by ip and --by account, locks: known counts', ({ log }) => {
  const ip = latchkey(log.dataDir, 'audit', 'failures', '--by', 'ip', '--json');
  assert.is(ip.status, 0, ip.stderr);
  const [, ...ipRows] = ndjson(ip.stdout);
  // 2 wrong for alice, 5 wrong + 1 refused for bob, 1 unknown user: all from 127.0.0.1.
  assert.equal(ipRows.map((r) => [r.key, r.failures, r.dialects]), [['127.0.0.1', 9, ['native']]]);
  const account = latchkey(log.dataDir, 'audit', 'failures', '--by', 'account', '--json', '--limit', '2');
  const [, ...accountRows] = ndjson(account.stdout);
  assert.equal(accountRows.map((r) => [r.key, r.failures]), [['bob', 6], ['alice', 2]]);
  const all = ndjson(latchkey(log.dataDir, 'audit', 'failures', '--by', 'account', '--json').stdout);
  assert.match(all[3]!.key, /^unknown:[A-Za-z0-9_-]{12}$/);
  const locks = latchkey(log.dataDir, 'audit', 'locks', '--json');
  const [, ...lockRows] = ndjson(locks.stdout);
  assert.equal(lockRows.map((r) => [r.username, r.type, r.failures, r.by.dialect]), [['bob', 'locked', 5, 'native'], ['bob', 'unlocked', 0, 'admin']]);
  assert.is(lockRows[0]!.until - lockRows[0]!.at, 60_000);
});

test('a time range narrows the answer (ISO and relative times)', ({ log }) => {
  const future = ndjson(latchkey(log.dataDir, 'audit', 'locks', '--json', '--since', '2999-01-01T00:00:00Z').stdout);
  assert.is(future.length, 1);
  const past = ndjson(latchkey(log.dataDir, 'audit', 'locks', '--json', '--until', '-3650d').stdout);
  assert.is(past.length, 1);
});

test('bad input: exit 2 and one line on stderr naming the flag', ({ log }) => {
  const cases: [string[], string][] = [
    [['history', 'alice', '--since', 'yesterday'], '--since'],
    [['history', 'alice', '--since', '2026-12-01', '--until', '2026-11-01'], '--until'],
    [['history'], 'USERNAME'],
    [['failures'], '--by'],
    [['failures', '--by', 'host'], '--by'],
    [['failures', '--by', 'ip', '--limit', '0'], '--limit'],
    [['locks', '--bogus'], '--bogus'],
    [['locks', '--until'], '--until'],
    [['export', '--format', 'xml'], '--format'],
    [['what-if', '--lockout-window', '5x'], '--lockout-window'],
    [['what-if', '--lockout-threshold', '99'], '--lockout-threshold'],
    [['what-if', '--lockout-base', '10m', '--lockout-max', '1m'], '--lockout-max'],
    [['what-if', '--hard-lock', 'many'], '--hard-lock'],
  ];
  for (const [args, flag] of cases) {
    const r = latchkey(log.dataDir, 'audit', ...args);
    assert.is(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.is(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.is(lines.length, 1, r.stderr);
    assert.ok(lines[0]!.includes(flag), `${args.join(' ')}: ${lines[0]}`);
  }
});

test('a broken chain: the first line says so and the answer still comes; --require-verified refuses with exit 1', ({ log }) => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-audit-broken-'));
  try {
    copyFileSync(join(log.dataDir, 'secret.key'), join(dir, 'secret.key'));
    tamperedCopy(join(log.dataDir, 'latchkey.db'), join(dir, 'latchkey.db'), (db) => db.prepare("UPDATE events SET meta = replace(meta, '127.0.0.1', '10.9.9.9') WHERE seq = 5").run());
    const r = latchkey(dir, 'audit', 'failures', '--by', 'ip');
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout.split('\n')[0]!, /^hash chain: BROKEN at seq 5 /);
    assert.ok(r.stdout.includes('127.0.0.1'));
    const json = latchkey(dir, 'audit', 'history', 'alice', '--json');
    assert.equal(ndjson(json.stdout)[0], { chain: { ok: false, events: 4, firstBadSeq: 5 } });
    const refused = latchkey(dir, 'audit', 'locks', '--require-verified');
    assert.is(refused.status, 1);
    assert.match(refused.stdout, /^hash chain: BROKEN at seq 5 /);
    assert.is(refused.stdout.split('\n').filter(Boolean).length, 1);
    assert.match(refused.stderr, /--require-verified/);
    const exported = latchkey(dir, 'audit', 'export', '--require-verified');
    assert.is(exported.status, 1);
    assert.is(exported.stdout, '');
    assert.match(exported.stderr, /^hash chain: BROKEN at seq 5 /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without the secret key: no key is made, and history says it cannot include unknown-user attempts', ({ log }) => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-audit-nokeys-'));
  try {
    copyFileSync(join(log.dataDir, 'latchkey.db'), join(dir, 'latchkey.db'));
    const r = latchkey(dir, 'audit', 'history', 'ghost', '--json');
    assert.is(r.status, 0, r.stderr);
    assert.is(ndjson(r.stdout).length, 1);
    assert.match(r.stderr, /cannot include unknown-user attempts/);
    assert.is(r.stderr.trimEnd().split('\n').length, 1);
    assert.equal(readdirSync(dir).filter((f) => !f.startsWith('latchkey.db')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the audit HMAC key is the server's", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-audit-keys-'));
  try {
    assert.is(readHmacKey(dir, undefined), null);
    const keys = await loadOrCreateKeys(dir, { LATCHKEY_SECRET_KEY: undefined, LATCHKEY_ADMIN_KEY: 'x' });
    assert.ok(readHmacKey(dir, undefined)!.equals(keys.hmacKey));
    const env = 'a'.repeat(64);
    const fromEnv = await loadOrCreateKeys(dir, { LATCHKEY_SECRET_KEY: env, LATCHKEY_ADMIN_KEY: 'x' });
    assert.ok(readHmacKey(dir, env)!.equals(fromEnv.hmacKey));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export: every event once (NDJSON and CSV), the chain line on stderr, nothing secret in any output (canary scan)', ({ log }) => {
  const nd = latchkey(log.dataDir, 'audit', 'export');
  assert.is(nd.status, 0, nd.stderr);
  assert.match(nd.stderr, /^hash chain: ok/m);
  const events = ndjson(nd.stdout);
  const trailer = events.pop() as { checkpoint?: { seq: number } };
  assert.is(trailer.checkpoint?.seq, events.length, 'the last line is the signed checkpoint of the head (docs/security.md §34)');
  assert.equal(events.map((e) => e.seq), events.map((_, i) => i + 1));
  const csv = latchkey(log.dataDir, 'audit', 'export', '--format', 'csv', '--since', '2000-01-01');
  assert.is(csv.status, 0, csv.stderr);
  assert.is(csv.stdout.split('\n')[0], 'seq,at,stream,version,type,schema,dialect,ip,request_id,user_agent,id,data,hash');
  const outputs = [
    nd.stdout,
    csv.stdout,
    latchkey(log.dataDir, 'audit', 'history', 'alice', '--json').stdout,
    latchkey(log.dataDir, 'audit', 'history', 'bob').stdout,
    latchkey(log.dataDir, 'audit', 'failures', '--by', 'account').stdout,
  ].join('\n');
  assert.ok(outputs.includes('PasswordRejected'));
  for (const secret of log.secrets) assert.not.ok(outputs.includes(secret), `a secret of ${secret.length} characters is in the output`);
  for (const code of log.codes) for (const form of [`"${code}"`, `,${code},`, `:${code},`]) assert.not.ok(outputs.includes(form), 'a TOTP code is in the output');
});

test('nothing in audit writes: the log file is byte for byte the same after every command', ({ log }) => {
  const db = join(log.dataDir, 'latchkey.db');
  const before = digestOf(db);
  for (const args of [['history', 'alice'], ['failures', '--by', 'ip'], ['locks'], ['export']]) assert.is(latchkey(log.dataDir, 'audit', ...args).status, 0);
  assert.is(digestOf(db), before);
  assert.not.ok(existsSync(`${db}-wal`) && readFileSync(`${db}-wal`).length > 0);
});

test.run();
