import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { migrate } from '../../../adapters/sqlite/migrate.js';
import { migrations } from '../../../adapters/sqlite/migrations.js';
import { SqliteEventStore, openSqliteEventStore } from '../../../adapters/sqlite/sqlite-event-store.js';
import { randomHistory } from '../event-store-contract.js';

const test = suite('migrate');
let dir = '';
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-migrate-'));
});
test.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

const schemaOf = (db: Database.Database) => db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY type, name').all();

test('a new database gets every migration once; reopening applies nothing and keeps the data', async () => {
  const path = join(dir, 'a.db');
  const first = openSqliteEventStore(path);
  const recorded = first.db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as { version: number; name: string }[];
  assert.equal(
    recorded.map((r) => [r.version, r.name]),
    migrations.map((m) => [m.version, m.name]),
  );
  assert.is(first.db.pragma('user_version', { simple: true }), migrations.length);
  const schema = schemaOf(first.db);
  for (const req of randomHistory(3, 20)) await first.append(req);
  const events = await first.read({ after: 0, limit: 1000 });
  first.close();

  for (let i = 0; i < 2; i++) {
    const again = openSqliteEventStore(path);
    try {
      assert.is(migrate(again.db), 0, 'nothing left to apply');
      assert.equal(again.db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all(), recorded);
      assert.equal(schemaOf(again.db), schema);
      assert.equal(await again.read({ after: 0, limit: 1000 }), events);
    } finally {
      again.close();
    }
  }
});

test('a database at an older schema version is brought forward in order', () => {
  const path = join(dir, 'a.db');
  const db = new Database(path);
  assert.is(migrate(db, migrations.slice(0, 1)), 1);
  assert.is(db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'view'").pluck().get(), 0);
  db.close();
  const store = openSqliteEventStore(path);
  try {
    assert.is(store.db.pragma('user_version', { simple: true }), migrations.length);
    const views = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name").pluck().all();
    assert.equal(views, ['accounts', 'challenges', 'devices', 'sessions']);
  } finally {
    store.close();
  }
});

test('migration 4 carries every projection row of a version-3 database over to the table keyed by stream alone', async () => {
  const path = join(dir, 'a.db');
  const db = new Database(path);
  migrate(db, migrations.slice(0, 3));
  const v3 = new SqliteEventStore(db);
  for (const req of randomHistory(5, 40)) await v3.append(req);
  const rowsBefore = v3.db.prepare('SELECT stream, kind, version, state FROM projections ORDER BY stream').all();
  const accountsBefore = v3.db.prepare('SELECT * FROM accounts ORDER BY account_id').all();
  assert.ok(rowsBefore.length > 5);
  v3.close();

  const store = openSqliteEventStore(path);
  try {
    assert.is(store.db.pragma('user_version', { simple: true }), migrations.length);
    assert.equal(store.db.prepare('SELECT stream, kind, version, state FROM projections ORDER BY stream').all(), rowsBefore);
    assert.equal(store.db.prepare('SELECT * FROM accounts ORDER BY account_id').all(), accountsBefore);
    // One b-tree: no rowid and no separate index on stream.
    assert.throws(() => store.db.prepare('SELECT rowid FROM projections').all(), /no such column: rowid/);
    assert.is(store.db.prepare('SELECT count(*) FROM pragma_index_list(?) WHERE origin = ?').pluck().get('projections', 'pk'), 1);
    const plan = store.db.prepare('EXPLAIN QUERY PLAN SELECT version, state FROM projections WHERE stream = ?').all('x') as { detail: string }[];
    assert.equal(plan.map((p) => p.detail), ['SEARCH projections USING PRIMARY KEY (stream=?)']);
  } finally {
    store.close();
  }
});

test('migration 6 gives every claimed name its skeleton, look-alikes claimed before it included; they keep their accounts', async () => {
  const path = join(dir, 'a.db');
  const db = new Database(path);
  migrate(db, migrations.slice(0, 5));
  const v5 = new SqliteEventStore(db);
  const register = (id: string, username: string) => ({
    commandId: `register-${id}`,
    writes: [{ kind: 'account' as const, id, expectedVersion: 0, events: [{ type: 'AccountRegistered' as const, data: { accountId: id, username, passwordHash: '$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA', roles: [], mfa: 'exempt' as const } }] }],
    meta: { requestId: 'r', ip: null, dialect: 'admin' as const, userAgent: null },
    at: 1,
  });
  await v5.append(register('a', 'alice'));
  await v5.append(register('b', 'alıce'));
  v5.close();

  const store = openSqliteEventStore(path);
  try {
    assert.equal(store.db.prepare('SELECT username, skeleton FROM username_skeletons ORDER BY username').raw().all(), [['alice', 'alice'], ['alıce', 'alice']]);
    assert.is(await store.accountIdByUsername('alıce'), 'b');
    assert.is(await store.accountIdByUsername('alice'), 'a');
    let refused: unknown = null;
    await store.append(register('c', 'alíce')).catch((err: unknown) => (refused = err));
    assert.is((refused as { code?: string } | null)?.code, 'username_lookalike', 'a new look-alike is refused');
  } finally {
    store.close();
  }
});

test('a database from a newer build is refused, not written', () => {
  const path = join(dir, 'a.db');
  const db = new Database(path);
  db.pragma(`user_version = ${migrations.length + 1}`);
  db.close();
  assert.throws(() => openSqliteEventStore(path), /newer than this build/);
});

test('a list of migrations out of order is refused before anything runs', () => {
  const db = new Database(join(dir, 'a.db'));
  try {
    assert.throws(() => migrate(db, [migrations[1]!, migrations[0]!]), /expected 1/);
    assert.is(db.pragma('user_version', { simple: true }), 0);
  } finally {
    db.close();
  }
});

test('the accounts view shows what an auditor asks about, straight from the projection', async () => {
  const store = openSqliteEventStore(join(dir, 'a.db'));
  try {
    const meta = { requestId: 'r', ip: null, dialect: 'admin', userAgent: null } as const;
    await store.append({
      commandId: 'c1',
      meta,
      at: 1,
      writes: [
        {
          kind: 'account',
          id: 'a1',
          expectedVersion: 0,
          events: [
            { type: 'AccountRegistered', data: { accountId: 'a1', username: 'alice', passwordHash: '$argon2id$x', roles: [], mfa: 'required' } },
            { type: 'OtpAccepted', data: { step: 57_000_000 } },
            { type: 'PasswordRejected', data: { failures: 5 } },
            { type: 'AccountLocked', data: { until: 60_000, failures: 5 } },
          ],
        },
      ],
    });
    assert.equal(store.db.prepare('SELECT account_id, username, lock, locked_until, failures, last_totp_step, version FROM accounts').all(), [
      { account_id: 'a1', username: 'alice', lock: 'locked', locked_until: 60_000, failures: 5, last_totp_step: 57_000_000, version: 4 },
    ]);
  } finally {
    store.close();
  }
});

test.run();
