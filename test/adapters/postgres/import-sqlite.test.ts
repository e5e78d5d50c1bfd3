import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openPgPool } from '../../../adapters/postgres/open-pg-pool.js';
import { importSqliteLog } from '../../../adapters/postgres/import-sqlite-log.js';
import { openPostgresEventStore } from '../../../adapters/postgres/postgres-event-store.js';
import { verifyPostgresLog } from '../../../adapters/postgres/verify-postgres-log.js';
import { openSqliteEventStore } from '../../../adapters/sqlite/sqlite-event-store.js';
import { randomHistory } from '../event-store-contract.js';
import { startThrowawayPostgres } from '../../helpers/throwaway-postgres.js';
import { tamperedCopy } from '../../helpers/tampered-copy.js';

const postgres = await startThrowawayPostgres();
const dir = mkdtempSync(join(tmpdir(), 'latchkey-import-'));
const path = join(dir, 'latchkey.db');
const sqlite = openSqliteEventStore(path);
for (const request of randomHistory(21, 300)) await sqlite.append(request).catch(() => undefined);
const sqliteEvents = await sqlite.read({ after: 0, limit: 1e6 });
sqlite.close();

test.after(() => {
  postgres.destroy();
  rmSync(dir, { recursive: true, force: true });
});

test('import-sqlite moves the log row for row; the chain verifies in PostgreSQL and goes on from its head', async () => {
  const url = await postgres.database('imported');
  const pool = openPgPool(url);
  try {
    const result = await importSqliteLog(path, pool);
    assert.is(result.events, sqliteEvents.length);
    assert.ok(result.events > 100);
    const store = await openPostgresEventStore(url);
    try {
      assert.equal(await store.read({ after: 0, limit: 1e6 }), sqliteEvents);
      const last = sqliteEvents[sqliteEvents.length - 1]!;
      const next = await store.append({ commandId: 'after-import', writes: [{ kind: 'probe', id: 'after', expectedVersion: 0, events: [{ type: 'UnknownUserAttempted', data: { attempts: 1 } }] }], meta: { requestId: 'r', ip: null, dialect: 'native', userAgent: null }, at: last.at + 1 });
      assert.is(next[0]!.seq, last.seq + 1);
    } finally {
      await store.close();
    }
    assert.equal(await verifyPostgresLog(pool), { ok: true, events: sqliteEvents.length + 1 });
    let refused = '';
    await importSqliteLog(path, pool).catch((err: Error) => (refused = err.message));
    assert.match(refused, /already holds/, 'a second import into a non-empty log is refused');
  } finally {
    await pool.end();
  }
});

test('a SQLite log whose chain is broken imports nothing', async () => {
  const url = await postgres.database('refused');
  const pool = openPgPool(url);
  try {
    const broken = tamperedCopy(path, join(dir, 'broken.db'), (db) => {
      db.prepare("UPDATE events SET meta = meta || ' ' WHERE seq = 50").run();
    });
    let refused = '';
    await importSqliteLog(broken, pool).catch((err: Error) => (refused = err.message));
    assert.match(refused, /broken at seq 50/);
    assert.is((await pool.query(`SELECT to_regclass('events')::text AS t`)).rows[0].t, null, 'refused before anything was written');
  } finally {
    await pool.end();
  }
});

test.run();
