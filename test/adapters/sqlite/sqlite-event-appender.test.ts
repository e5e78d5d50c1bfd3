import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AppendRequest } from '../../../core/ports/event-store.js';
import { openSqliteEventAppender } from '../../../adapters/sqlite/sqlite-event-appender.js';
import { verifyChain } from '../../../adapters/sqlite/verify-chain.js';

// The writer thread's group commit (appendMany): each request in its own savepoint, one IMMEDIATE transaction.
const test = suite('SqliteEventAppender');
let dir = '';
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-appender-'));
});
test.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

const meta = { requestId: 'req-1', ip: '192.0.2.1', dialect: 'native', userAgent: null } as const;
const probe = (commandId: string, id: string, expectedVersion: number): AppendRequest => ({
  commandId,
  writes: [{ kind: 'probe', id, expectedVersion, events: [{ type: 'UnknownUserAttempted', data: { attempts: 1 } }] }],
  meta,
  at: 1_700_000_000_000,
});

test('a stale request in a batch is refused alone; the others commit, in order, on one chain', () => {
  const appender = openSqliteEventAppender(join(dir, 'a.db'));
  try {
    const outcomes = appender.appendMany([probe('c1', 'p', 0), probe('c2', 'p', 0), probe('c3', 'q', 0), probe('c1', 'p', 0)]);
    assert.equal(
      outcomes.map((o) => (o.ok ? o.events.map((e) => e.id) : o.code)),
      [['c1:0'], 'stream_moved', ['c3:0'], ['c1:0']],
    );
    assert.equal(appender.db.prepare('SELECT id FROM events ORDER BY seq').pluck().all(), ['c1:0', 'c3:0']);
    assert.equal(verifyChain(appender.db), { ok: true, events: 2 });
  } finally {
    appender.close();
  }
});

test('a batch that cannot take the write lock fails every request in it, and writes nothing', () => {
  const path = join(dir, 'a.db');
  const appender = openSqliteEventAppender(path, { busyTimeoutMs: 50 });
  const other = new Database(path);
  try {
    other.exec('BEGIN IMMEDIATE');
    assert.equal(appender.appendMany([probe('c1', 'p', 0), probe('c2', 'q', 0)]), [
      { ok: false, code: 'unavailable' },
      { ok: false, code: 'unavailable' },
    ]);
    other.exec('ROLLBACK');
    assert.is(appender.db.prepare('SELECT count(*) FROM events').pluck().get(), 0);
  } finally {
    other.close();
    appender.close();
  }
});

test.run();
