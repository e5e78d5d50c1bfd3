import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type ErrorCode, isDomainError } from '../../../core/errors.js';
import type { AppendRequest } from '../../../core/ports/event-store.js';
import { openSqliteEventStore } from '../../../adapters/sqlite/sqlite-event-store.js';
import { verifyChain } from '../../../adapters/sqlite/verify-chain.js';

const test = suite('SqliteEventStore');
let dir = '';
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-sqlite-'));
});
test.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

const meta = { requestId: 'req-1', ip: '192.0.2.1', dialect: 'native', userAgent: null } as const;
const probe = (commandId: string, attempts: number, padding = ''): AppendRequest => ({
  commandId,
  writes: [{ kind: 'probe', id: `p${padding}`, expectedVersion: 'any', events: [{ type: 'UnknownUserAttempted', data: { attempts } }] }],
  meta,
  at: 1_700_000_000_000,
});
const codeOf = async (p: Promise<unknown>): Promise<ErrorCode | 'no error'> => {
  try {
    await p;
    return 'no error';
  } catch (err) {
    assert.ok(isDomainError(err), String(err));
    return err.code;
  }
};

test('opens in WAL with synchronous=FULL and a busy timeout, read back from the connection', () => {
  const store = openSqliteEventStore(join(dir, 'a.db'), { busyTimeoutMs: 1234 });
  try {
    assert.is(store.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.is(store.db.pragma('synchronous', { simple: true }), 2);
    assert.is(store.db.pragma('busy_timeout', { simple: true }), 1234);
  } finally {
    store.close();
  }
  // WAL is a property of the file: a plain connection sees it too.
  const raw = new Database(join(dir, 'a.db'));
  assert.is(raw.pragma('journal_mode', { simple: true }), 'wal');
  raw.close();
});

test('refuses a database that cannot be durable (":memory:" cannot do WAL)', () => {
  assert.throws(() => openSqliteEventStore(':memory:'), /journal_mode is memory, expected wal/);
});

test('UPDATE and DELETE on events are refused by triggers, from any connection', async () => {
  const path = join(dir, 'a.db');
  const store = openSqliteEventStore(path);
  await store.append(probe('c1', 1));
  const raw = new Database(path);
  try {
    assert.throws(() => raw.prepare("UPDATE events SET data = '{\"attempts\":9}' WHERE seq = 1").run(), /append-only/);
    assert.throws(() => raw.prepare('UPDATE events SET hash = zeroblob(32)').run(), /append-only/);
    assert.throws(() => raw.prepare('DELETE FROM events WHERE seq = 1').run(), /append-only/);
    assert.throws(() => raw.prepare('DELETE FROM events').run(), /append-only/);
    assert.equal(raw.prepare('SELECT seq, data FROM events').all(), [{ seq: 1, data: '{"attempts":1}' }]);
  } finally {
    raw.close();
    store.close();
  }
});

test('rows chain SHA-256(previous hash || length-prefixed UTF-8 columns) from 32 zero bytes, as an auditor would recompute it', async () => {
  const store = openSqliteEventStore(join(dir, 'a.db'));
  try {
    await store.append(probe('c1', 1));
    await store.append({ ...probe('c2', 2), meta: { ...meta, userAgent: 'Zoë/1.0 ☃' } });
    const rows = store.db.prepare('SELECT seq, id, stream, version, type, schema, data, meta, at, hash FROM events ORDER BY seq').all() as {
      [k: string]: unknown;
      hash: Buffer;
    }[];
    let previous: Buffer = Buffer.alloc(32);
    for (const r of rows) {
      const columns = [r.seq, r.id, r.stream, r.version, r.type, r.schema, r.data, r.meta, r.at].map((v) => Buffer.from(String(v), 'utf8'));
      const framed = columns.flatMap((c) => {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(c.length);
        return [length, c];
      });
      const expected = createHash('sha256').update(Buffer.concat([previous, ...framed])).digest();
      assert.ok(expected.equals(r.hash), `row ${String(r.seq)}`);
      previous = r.hash;
    }
    assert.is(rows.length, 2);
    assert.is(rows[1]!.id, 'c2:0');
    assert.match(String(rows[1]!.meta), /Zoë/);
  } finally {
    store.close();
  }
});

test('a read-only database fails appends closed as unavailable; reads still work', async () => {
  const path = join(dir, 'a.db');
  const writer = openSqliteEventStore(path);
  await writer.append(probe('c1', 1));
  writer.close();
  const store = openSqliteEventStore(path, { readonly: true });
  try {
    assert.is(await codeOf(store.append(probe('c2', 2))), 'unavailable');
    assert.equal(await store.load('probe', 'p'), { version: 1, state: { attempts: 1 } });
    assert.is((await store.read({ after: 0, limit: 10 })).length, 1);
  } finally {
    store.close();
  }
});

test('a full disk (max_page_count reached) fails the append as unavailable and leaves no partial write', async () => {
  const store = openSqliteEventStore(join(dir, 'a.db'));
  try {
    await store.append(probe('c1', 1));
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages}`);
    const big = probe('c2', 2, 'x'.repeat(20_000));
    const err = await store.append(big).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isDomainError(err) && err.code === 'unavailable', String(err));
    assert.match(String((err as Error).cause), /full/i);
    assert.is((await store.read({ after: 0, limit: 10 })).length, 1);
    assert.is((await store.load('probe', `p${'x'.repeat(20_000)}`)).version, 0);
    // Room again: the same command goes through (nothing of it was left behind).
    store.db.pragma('max_page_count = 1073741823');
    assert.is((await store.append(big)).length, 1);
  } finally {
    store.close();
  }
});

test('a write lock held past busy_timeout fails the append as unavailable; WAL readers are not blocked', async () => {
  const path = join(dir, 'a.db');
  const store = openSqliteEventStore(path, { busyTimeoutMs: 50 });
  await store.append(probe('c1', 1));
  const other = new Database(path);
  try {
    other.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    assert.is(await codeOf(store.append(probe('c2', 2))), 'unavailable');
    assert.ok(performance.now() - started >= 40, 'waited for the busy timeout first');
    assert.equal(await store.load('probe', 'p'), { version: 1, state: { attempts: 1 } });
    other.exec('ROLLBACK');
    assert.is((await store.append(probe('c2', 2)))[0]!.version, 2);
  } finally {
    other.close();
    store.close();
  }
});

test('a closed store answers unavailable, not a crash', async () => {
  const store = openSqliteEventStore(join(dir, 'a.db'));
  store.close();
  assert.is(await codeOf(store.append(probe('c1', 1))), 'unavailable');
  assert.is(await codeOf(store.load('probe', 'p')), 'unavailable');
  assert.is(await codeOf(store.read({ after: 0, limit: 1 })), 'unavailable');
  assert.is(await codeOf(store.accountIdByUsername('alice')), 'unavailable');
});

test('a UNIQUE(stream, version) clash from another writer is a stream_moved error', async () => {
  // Another process appended version 2 of the stream without updating projections (simulates a writer that
  // raced between our read of the projection and our insert): the database itself must refuse the duplicate.
  const path = join(dir, 'a.db');
  const store = openSqliteEventStore(path);
  try {
    await store.append(probe('c1', 1));
    store.db.prepare("UPDATE projections SET version = 0 WHERE stream = 'probe-p'").run();
    const code = await codeOf(
      store.append({ ...probe('c2', 2), writes: [{ kind: 'probe', id: 'p', expectedVersion: 0, events: [{ type: 'UnknownUserAttempted', data: { attempts: 2 } }] }] }),
    );
    assert.is(code, 'stream_moved');
    assert.is((await store.read({ after: 0, limit: 10 })).length, 1);
  } finally {
    store.close();
  }
});

test('two connections on one file (server and CLI) share versions, usernames and the chain tail', async () => {
  const path = join(dir, 'a.db');
  const server = openSqliteEventStore(path);
  const cli = openSqliteEventStore(path);
  try {
    const register = (commandId: string, accountId: string, username: string): AppendRequest => ({
      commandId,
      meta,
      at: 1,
      writes: [
        {
          kind: 'account',
          id: accountId,
          expectedVersion: 0,
          events: [{ type: 'AccountRegistered', data: { accountId, username, passwordHash: '$argon2id$x', roles: [], mfa: 'required' } }],
        },
      ],
    });
    await server.append(register('c1', 'a1', 'alice'));
    assert.is(await codeOf(cli.append(register('c2', 'a2', 'alice'))), 'username_taken');
    assert.is(await codeOf(cli.append(register('c3', 'a1', 'alice'))), 'stream_moved');
    for (let i = 0; i < 10; i++) await (i % 2 === 0 ? server : cli).append(probe(`p${i}`, i + 1));
    assert.equal(await server.load('probe', 'p'), { version: 10, state: { attempts: 10 } });
    assert.is(await cli.accountIdByUsername('alice'), 'a1');
    const rows = server.db.prepare('SELECT seq FROM events ORDER BY seq').pluck().all();
    assert.equal(rows, Array.from({ length: 11 }, (_, i) => i + 1));
    assert.equal(verifyChain(server.db), { ok: true, events: 11 });
  } finally {
    cli.close();
    server.close();
  }
});

test.run();
