import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InMemoryAuditLog } from '../../../adapters/memory/in-memory-audit-log.js';
import { InMemoryEventStore } from '../../../adapters/memory/in-memory-event-store.js';
import { csvHeader, exportLog } from '../../../adapters/sqlite/export-log.js';
import { IncrementalChain } from '../../../adapters/sqlite/incremental-chain.js';
import { openDatabase } from '../../../adapters/sqlite/open-database.js';
import { SqliteAuditLog } from '../../../adapters/sqlite/sqlite-audit-log.js';
import { openSqliteEventStore } from '../../../adapters/sqlite/sqlite-event-store.js';
import type { EventMeta } from '../../../core/event.js';
import type { AuditLog } from '../../../core/ports/audit-log.js';
import type { EventStore, StreamWrite } from '../../../core/ports/event-store.js';
import { tamperedCopy } from '../../helpers/tampered-copy.js';

const test = suite('SQLite audit log');
const t0 = Date.UTC(2026, 11, 1, 8);

const meta = (ip: string, userAgent: string | null = null): EventMeta => ({ requestId: `req-${ip}`, ip, dialect: 'native', userAgent });

/** The same appends into any store: two accounts, a challenge and session of alice, a device of bob, a probe, a lock. */
const fill = async (store: EventStore) => {
  let n = 0;
  const put = (writes: StreamWrite[], m: EventMeta, at: number) => store.append({ commandId: `cmd-${++n}`, writes, meta: m, at });
  const reg = (id: string, username: string) =>
    ({ kind: 'account', id, expectedVersion: 0, events: [{ type: 'AccountRegistered', data: { accountId: id, username, passwordHash: '$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA', roles: [], mfa: 'exempt' } }] }) as const;
  await put([reg('a1', 'alice'), reg('b1', 'bob')], meta('192.0.2.1'), t0);
  await put([{ kind: 'account', id: 'a1', expectedVersion: 'any', events: [{ type: 'PasswordAccepted', data: {} }] }, { kind: 'challenge', id: 'c1', expectedVersion: 0, events: [{ type: 'ChallengeIssued', data: { challengeId: 'c1', accountId: 'a1', tokenHash: 'h', expiresAt: t0 + 300_000, epoch: 0, methods: ['totp'], dialect: 'native' } }] }], meta('192.0.2.10'), t0 + 1000);
  await put([{ kind: 'session', id: 's1', expectedVersion: 0, events: [{ type: 'SessionIssued', data: { sessionId: 's1', accountId: 'a1', jti: 'j', aal: 'aal2', method: 'password+totp', expiresAt: t0 + 900_000, dialect: 'native' } }] }], meta('192.0.2.10'), t0 + 2000);
  await put([{ kind: 'device', id: 'd1', expectedVersion: 0, events: [{ type: 'DeviceRemembered', data: { selector: 'd1', accountId: 'b1', validatorHash: 'v', expiresAt: t0 + 86_400_000, credentials: 0 } }] }], meta('192.0.2.20'), t0 + 3000);
  for (let i = 1; i <= 5; i++) {
    const events = i === 5 ? [{ type: 'PasswordRejected', data: { failures: 5 } }, { type: 'AccountLocked', data: { until: t0 + 70_000, failures: 5 } }] : [{ type: 'PasswordRejected', data: { failures: i } }];
    await put([{ kind: 'account', id: 'a1', expectedVersion: 'any', events } as StreamWrite], meta('=cmd|x', '@evil, "quoted"'), t0 + 10_000);
  }
  await put([{ kind: 'probe', id: 'KEY0123456789abcdef', expectedVersion: 'any', events: [{ type: 'UnknownUserAttempted', data: { attempts: 1 } }] }], meta('203.0.113.9'), t0 + 20_000);
};

const withLogs = async (run: (sqlite: SqliteAuditLog, memory: AuditLog, path: string) => Promise<void>) => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-audit-'));
  const path = join(dir, 'latchkey.db');
  const store = openSqliteEventStore(path);
  const memory = new InMemoryEventStore();
  await fill(store);
  await fill(memory);
  store.close();
  const db = openDatabase(path, { readonly: true, fileMustExist: true });
  const chain = new IncrementalChain(db);
  const log = new SqliteAuditLog(db, () => chain.check());
  try {
    await run(log, new InMemoryAuditLog(memory), path);
  } finally {
    log.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

const plain = (events: readonly object[]) => JSON.parse(JSON.stringify(events)) as unknown;

test('answers as the in-memory adapter does, for every call of the port', async () => {
  await withLogs(async (sqlite, memory) => {
    for (const log of [sqlite, memory]) {
      assert.is(await log.accountByUsername('alice'), 'a1');
      assert.is(await log.accountByUsername('nobody'), null);
    }
    assert.equal([...(await sqlite.ownedStreams('a1'))].sort(), ['account-a1', 'challenge-c1', 'session-s1']);
    assert.equal([...(await sqlite.ownedStreams('b1'))].sort(), ['account-b1', 'device-d1']);
    assert.equal([...(await memory.ownedStreams('a1'))].sort(), [...(await sqlite.ownedStreams('a1'))].sort());
    const page = { range: {}, after: 0, limit: 100 };
    const streams = ['account-a1', 'challenge-c1', 'session-s1'];
    assert.equal(plain(await sqlite.streamEvents(streams, page)), plain(await memory.streamEvents(streams, page)));
    assert.equal(plain(await sqlite.streamEvents(streams, { range: { since: t0 + 1000, until: t0 + 10_000 }, after: 2, limit: 1 })), plain(await memory.streamEvents(streams, { range: { since: t0 + 1000, until: t0 + 10_000 }, after: 2, limit: 1 })));
    assert.equal(plain(await sqlite.scan(page)), plain(await memory.scan(page)));
    const types = { ...page, types: ['PasswordRejected', 'UnknownUserAttempted'] };
    assert.equal((await sqlite.scan(types)).map((e) => e.type), ['PasswordRejected', 'PasswordRejected', 'PasswordRejected', 'PasswordRejected', 'PasswordRejected', 'UnknownUserAttempted']);
    assert.equal(plain(await sqlite.scan(types)), plain(await memory.scan(types)));
    assert.equal([...(await sqlite.usernames(['a1', 'b1', 'zz']))], [['a1', 'alice'], ['b1', 'bob']]);
    assert.equal([...(await memory.usernames(['a1', 'b1', 'zz']))], [['a1', 'alice'], ['b1', 'bob']]);
  });
});

test('a history reads through indexes (migrations 5 and 7), never a scan of the log', async () => {
  await withLogs(async (sqlite) => {
    const plan = (sql: string, ...args: unknown[]) => (sqlite.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');
    assert.match(plan("SELECT json_extract(data, '$.accountId') FROM events WHERE type = 'AccountRegistered' AND json_extract(data, '$.username') = ?", 'alice'), /USING INDEX events_username/);
    assert.match(plan("SELECT DISTINCT stream FROM events WHERE type IN ('AccountRegistered', 'SessionIssued', 'ChallengeIssued', 'DeviceRemembered', 'TokenGranted') AND json_extract(data, '$.accountId') = ?", 'a1'), /USING INDEX events_owner/);
    const streamsPlan = plan('SELECT seq FROM events WHERE stream IN (SELECT value FROM json_each(?)) AND seq > ? AND at >= ? AND at < ? ORDER BY seq LIMIT ?', '[]', 0, 0, 1, 1);
    assert.match(streamsPlan, /INDEX sqlite_autoindex_events_2 \(stream=\?\)/);
    assert.not.match(streamsPlan, /SCAN events/);
  });
});

test('the connection is read-only: nothing in audit can write the log', async () => {
  await withLogs(async (sqlite) => {
    assert.throws(() => sqlite.db.prepare("INSERT INTO usernames (username, account_id) VALUES ('x', 'y')").run(), /readonly/);
  });
});

test('the chain, checked incrementally: ok, then only the new rows; a changed row is named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-audit-chain-'));
  try {
    const path = join(dir, 'latchkey.db');
    const store = openSqliteEventStore(path);
    await fill(store);
    const reader = openDatabase(path, { readonly: true });
    const chain = new IncrementalChain(reader);
    assert.equal(await chain.check(), { ok: true, events: 13 });
    await store.append({ commandId: 'later', writes: [{ kind: 'account', id: 'b1', expectedVersion: 'any', events: [{ type: 'AccountUnlocked', data: {} }] }], meta: meta('192.0.2.1'), at: t0 + 99_000 });
    assert.equal(await chain.check(), { ok: true, events: 14 });
    reader.close();
    store.close();
    const copy = tamperedCopy(path, join(dir, 'tampered.db'), (db) => db.prepare("UPDATE events SET data = '{\"failures\":0}' WHERE seq = 7").run());
    assert.equal(await new IncrementalChain(new Database(copy, { readonly: true })).check(), { ok: false, events: 6, firstBadSeq: 7 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export NDJSON: every row once, in seq order, as stored; a time range', async () => {
  await withLogs(async (sqlite) => {
    let out = '';
    const rows = await exportLog(sqlite.db, { range: {}, format: 'ndjson' }, (chunk) => {
      out += chunk;
    });
    const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.is(rows, 13);
    assert.equal(lines.map((l) => l.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const stored = sqlite.db.prepare('SELECT seq, id, stream, version, type, schema, data, meta, at, lower(hex(hash)) AS hash FROM events ORDER BY seq').all() as Record<string, unknown>[];
    assert.equal(lines, stored.map((r) => ({ ...r, data: JSON.parse(r.data as string), meta: JSON.parse(r.meta as string) })));
    let ranged = '';
    await exportLog(sqlite.db, { range: { since: t0 + 1000, until: t0 + 10_000 }, format: 'ndjson' }, (c) => {
      ranged += c;
    });
    assert.equal(ranged.trimEnd().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq), [3, 4, 5, 6]);
  });
});

test('export reads an old row as the current version of its type (a page holding one is built row by row)', async () => {
  await withLogs(async (sqlite, _memory, path) => {
    const copy = tamperedCopy(path, `${path}.old.db`, (db) =>
      db.prepare(`UPDATE events SET schema = 1, data = json_remove(json_set(data, '$.epoch', 4), '$.credentials') WHERE type = 'DeviceRemembered'`).run(),
    );
    const db = new Database(copy, { readonly: true });
    let out = '';
    await exportLog(db, { range: {}, format: 'ndjson' }, (c) => {
      out += c;
    });
    db.close();
    const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; schema: number; data: Record<string, unknown> });
    assert.is(lines.length, 13);
    const device = lines.find((l) => l.type === 'DeviceRemembered')!;
    assert.is(device.schema, 1);
    assert.is(device.data.credentials, 4);
    assert.not.ok('epoch' in device.data);
    assert.ok(sqlite.db.open);
  });
});

test('export CSV: a header, RFC 4180 quoting, formula-looking cells defused', async () => {
  await withLogs(async (sqlite) => {
    let out = '';
    await exportLog(sqlite.db, { range: { since: t0 + 10_000, until: t0 + 10_001 }, format: 'csv' }, (c) => {
      out += c;
    });
    const [header, first] = out.split('\n');
    assert.is(`${header}\n`, csvHeader);
    assert.ok(first!.startsWith('7,2026-12-01T08:00:10.000Z,account-a1,'), first);
    assert.ok(first!.includes(`,'=cmd|x,`), first);
    assert.ok(first!.includes(`,"'@evil, ""quoted""",`), first);
    assert.ok(first!.includes('"{""failures"":1}"'), first);
    assert.is(out.trimEnd().split('\n').length, 1 + 6);
  });
});

test('export pages through a log longer than a page, waiting for each write', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-audit-pages-'));
  try {
    const path = join(dir, 'latchkey.db');
    const store = openSqliteEventStore(path);
    const batch = store.db.transaction(() => {
      for (let i = 0; i < 9000; i++) void store.append({ commandId: `c${i}`, writes: [{ kind: 'probe', id: `k${i % 7}`, expectedVersion: 'any', events: [{ type: 'UnknownUserAttempted', data: { attempts: 1 } }] }], meta: meta('192.0.2.1'), at: t0 + i });
    });
    batch();
    store.close();
    const db = openDatabase(path, { readonly: true });
    let chunks = 0;
    let pending = 0;
    let last = 0;
    const rows = await exportLog(db, { range: {}, format: 'ndjson' }, async (chunk) => {
      assert.is(pending, 0, 'a page read before the previous write was taken');
      pending++;
      await new Promise((r) => setTimeout(r, 5));
      pending--;
      chunks++;
      for (const line of chunk.trimEnd().split('\n')) {
        const seq = (JSON.parse(line) as { seq: number }).seq;
        assert.is(seq, last + 1);
        last = seq;
      }
    });
    db.close();
    assert.is(rows, 9000);
    assert.is(last, 9000);
    assert.is(chunks, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
