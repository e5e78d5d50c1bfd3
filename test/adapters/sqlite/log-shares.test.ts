import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { logShares, minRowsPerThread, seqBoundsSql } from '../../../adapters/sqlite/log-shares.js';
import { openDatabase } from '../../../adapters/sqlite/open-database.js';

const test = suite('logShares');
let dir = '';
let path = '';
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-shares-'));
  path = join(dir, 'latchkey.db');
  openDatabase(path).close();
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

/** Rows seq from..to, inserted directly: logShares reads nothing but seq. */
const fill = (from: number, to: number) => {
  const db = new Database(path);
  const insert = db.prepare("INSERT INTO events (seq, id, stream, version, type, schema, data, meta, at, hash) VALUES (?, ?, ?, 1, 'T', 1, '{}', '{}', 0, x'00')");
  db.transaction(() => {
    for (let seq = from; seq <= to; seq++) insert.run(seq, `c${seq}:0`, `probe-${seq}`);
  })();
  db.close();
};

test('an empty log: bounds 0 and 0, one thread', () => {
  assert.equal(logShares(path, undefined, 8), { threads: 1, first: 0, last: 0 });
});

test('bounds are the first and last seq; one thread per core once the log is big enough, never more than asked', () => {
  fill(5, 4 + 2 * minRowsPerThread);
  assert.equal(logShares(path, undefined, 2), { threads: 2, first: 5, last: 4 + 2 * minRowsPerThread });
  assert.is(logShares(path, undefined, 8).threads, 2, 'no share below minRowsPerThread rows');
  assert.is(logShares(path, 1, 8).threads, 1);
});

test('the bounds are two lookups at the ends of the table, never a scan of it', () => {
  const db = new Database(path, { readonly: true });
  const plan = (db.prepare(`EXPLAIN QUERY PLAN ${seqBoundsSql}`).all() as { detail: string }[]).map((r) => r.detail);
  db.close();
  assert.ok(plan.filter((d) => /^SEARCH events/.test(d)).length === 2, plan.join(' | '));
  assert.not.ok(plan.some((d) => /^SCAN events/.test(d)), plan.join(' | '));
});

test.run();
