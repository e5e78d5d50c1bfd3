import { join } from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type TestServer, createUser, startTestServer } from '../../helpers/test-server.js';

const test = suite<{ s: TestServer }>('/v1/admin/audit/* (API)');
test.before(async (ctx) => {
  const s = await startTestServer();
  ctx.s = s;
  await createUser(s, { username: 'alice', password: 'alice-password-1' });
  await createUser(s, { username: 'bob', password: 'bob-password-12' });
  for (let i = 0; i < 3; i++) await s.call('POST', '/v1/login', { json: { username: 'alice', password: 'wrong-password' }, headers: { 'user-agent': 'audit-test' } });
  for (let i = 0; i < 6; i++) await s.call('POST', '/v1/login', { json: { username: 'bob', password: 'wrong-password' } });
  await s.call('POST', '/v1/login', { json: { username: 'Ghost', password: 'whatever-pw' } });
  s.clock.advance(120_000);
  await s.admin('POST', '/v1/admin/users/bob/unlock');
});
test.after(async ({ s }) => s.close());

const routes: [string, string][] = [
  ['GET', '/v1/admin/audit/history/alice'],
  ['GET', '/v1/admin/audit/failures?by=ip'],
  ['GET', '/v1/admin/audit/locks'],
  ['POST', '/v1/admin/audit/what-if'],
];

test('every route needs the admin key', async ({ s }) => {
  for (const [method, path] of routes) {
    const body = method === 'POST' ? { json: {} } : {};
    const r = await s.call(method, path, body);
    assert.is(r.status, 401, path);
    assert.is(r.body.error, 'invalid_token');
    assert.is((await s.call(method, path, { ...body, token: 'not-the-key' })).status, 401, path);
  }
});

test('history: the docs/api.md row shape, in seq order, and the chain', async ({ s }) => {
  const r = await s.admin('GET', '/v1/admin/audit/history/ALICE');
  assert.is(r.status, 200);
  assert.is(r.body.chain.ok, true);
  assert.is(r.body.next, undefined);
  const rows = r.body.events as Record<string, any>[];
  assert.ok(rows.length >= 6);
  for (const row of rows) assert.equal(Object.keys(row).filter((k) => k !== 'reason').sort(), ['at', 'data', 'dialect', 'ip', 'seq', 'stream', 'type']);
  const rejected = rows.filter((e) => e.type === 'PasswordRejected');
  assert.equal(rejected.map((e) => [e.dialect, e.ip, e.reason]), [['native', '127.0.0.1', 'password'], ['native', '127.0.0.1', 'password'], ['native', '127.0.0.1', 'password']]);
  assert.equal(rows.map((e) => e.seq), [...rows.map((e) => e.seq)].sort((a, b) => a - b));
});

test('an unknown name: 200 and the same shape, empty; unknown-user attempts under their name', async ({ s }) => {
  const r = await s.admin('GET', '/v1/admin/audit/history/no-such-user');
  assert.is(r.status, 200);
  assert.equal(r.body.events, []);
  assert.is(r.body.next, undefined);
  const ghost = await s.admin('GET', '/v1/admin/audit/history/ghost');
  assert.equal(ghost.body.events.map((e: any) => [e.type, e.reason]), [['UnknownUserAttempted', 'unknown_user']]);
});

test('paging: limit, after and next walk the whole history; the page size is capped', async ({ s }) => {
  const whole = (await s.admin('GET', '/v1/admin/audit/history/bob?limit=1000')).body.events.map((e: any) => e.seq);
  const seen: number[] = [];
  let after = 0;
  for (let pages = 0; pages < 50; pages++) {
    const r = await s.admin('GET', `/v1/admin/audit/history/bob?limit=3&after=${after}`);
    assert.is(r.status, 200);
    assert.ok(r.body.events.length <= 3);
    seen.push(...r.body.events.map((e: any) => e.seq));
    if (r.body.next === undefined) break;
    after = r.body.next;
  }
  assert.equal(seen, whole);
  assert.ok(whole.length > 6);
  const over = await s.admin('GET', '/v1/admin/audit/history/bob?limit=1001');
  assert.is(over.status, 400);
  assert.match(over.body.message, /limit/);
});

test('failures and locks: the docs/api.md shapes, known counts', async ({ s }) => {
  const byAccount = await s.admin('GET', '/v1/admin/audit/failures?by=account');
  assert.is(byAccount.status, 200);
  assert.is(byAccount.body.by, 'account');
  assert.equal(byAccount.body.rows.map((r: any) => [r.key.startsWith('unknown:') ? 'unknown' : r.key, r.failures]), [['bob', 6], ['alice', 3], ['unknown', 1]]);
  assert.equal(Object.keys(byAccount.body.rows[0]).sort(), ['dialects', 'failures', 'first', 'key', 'last']);
  const page = await s.admin('GET', '/v1/admin/audit/failures?by=account&limit=1');
  assert.equal([page.body.rows.length, page.body.next], [1, 1]);
  const next = await s.admin('GET', '/v1/admin/audit/failures?by=account&limit=1&after=1');
  assert.is(next.body.rows[0].key, 'alice');
  const locks = await s.admin('GET', '/v1/admin/audit/locks?since=-1h');
  assert.is(locks.status, 200);
  assert.equal(locks.body.rows.map((r: any) => [r.username, r.type, r.by.dialect]), [['bob', 'locked', 'native'], ['bob', 'unlocked', 'admin']]);
  const none = await s.admin('GET', `/v1/admin/audit/locks?until=2000-01-01T00:00:00Z`);
  assert.equal(none.body.rows, []);
});

test('bad query values: 400 invalid_request naming the field', async ({ s }) => {
  const cases: [string, string, unknown, string][] = [
    ['GET', '/v1/admin/audit/history/alice?since=yesterday', undefined, 'since'],
    ['GET', '/v1/admin/audit/history/alice?since=2026-12-02&until=2026-12-01', undefined, 'until'],
    ['GET', '/v1/admin/audit/history/alice?after=-1', undefined, 'after'],
    ['GET', '/v1/admin/audit/history/alice?limit=0', undefined, 'limit'],
    ['GET', '/v1/admin/audit/history/alice?limit=1&limit=2', undefined, 'limit'],
    ['GET', '/v1/admin/audit/failures', undefined, 'by'],
    ['GET', '/v1/admin/audit/failures?by=host', undefined, 'by'],
    ['GET', '/v1/admin/audit/locks?until=soon', undefined, 'until'],
    ['POST', '/v1/admin/audit/what-if', { lockout: { threshold: 0 } }, 'lockout.threshold'],
    ['POST', '/v1/admin/audit/what-if', { lockout: { windowMs: '1h' } }, 'lockout.windowMs'],
    ['POST', '/v1/admin/audit/what-if', { lockout: { baseMs: 600_000, maxMs: 60_000 } }, 'lockout.maxMs'],
    ['POST', '/v1/admin/audit/what-if', { lockout: 3 }, 'lockout'],
    ['POST', '/v1/admin/audit/what-if', { lockout: {}, since: 'last week' }, 'since'],
  ];
  for (const [method, path, json, field] of cases) {
    const r = await s.admin(method, path, json === undefined ? {} : { json });
    assert.is(r.status, 400, `${path} ${JSON.stringify(json)}: ${r.text}`);
    assert.is(r.body.error, 'invalid_request');
    assert.ok(String(r.body.message).includes(field), `${field}: ${r.body.message}`);
  }
  assert.is((await s.admin('POST', '/v1/admin/audit/what-if', { raw: 'lockout=3', headers: { 'content-type': 'text/plain' } })).status, 415);
});

test('the chain: checked on each call, only the rows added since; a row changed behind the server is named', async () => {
  const s = await startTestServer();
  try {
    await createUser(s, { username: 'carol', password: 'carol-password', totp: false });
    const first = await s.admin('GET', '/v1/admin/audit/locks');
    assert.is(first.body.chain.ok, true);
    const n = first.body.chain.events as number;
    await s.call('POST', '/v1/login', { json: { username: 'carol', password: 'wrong-password' } });
    const second = await s.admin('GET', '/v1/admin/audit/locks');
    assert.equal(second.body.chain, { ok: true, events: n + 1 });
    await s.call('POST', '/v1/login', { json: { username: 'carol', password: 'wrong-password' } });
    const db = new Database(join(s.dataDir, 'latchkey.db'));
    for (const name of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[]) db.exec(`DROP TRIGGER "${name}"`);
    db.prepare("UPDATE events SET meta = replace(meta, '127.0.0.1', '10.1.1.1') WHERE seq = ?").run(n + 2);
    db.close();
    const third = await s.admin('GET', '/v1/admin/audit/history/carol');
    assert.is(third.status, 200);
    assert.equal(third.body.chain, { ok: false, events: n + 1, firstBadSeq: n + 2 });
    assert.ok(third.body.events.length > 0);
  } finally {
    await s.close();
  }
});

test.run();
