import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GroupCommit } from '../../../adapters/sqlite/group-commit.js';
import { openDatabase } from '../../../adapters/sqlite/open-database.js';

const test = suite('GroupCommit');
let dir = '';
let db: Database.Database;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-group-commit-'));
  db = openDatabase(join(dir, 'g.db'), { busyTimeoutMs: 0 });
  db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY)');
  db.pragma('wal_autocheckpoint = 0');
});
test.after.each(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insertInto = (d: Database.Database) => {
  const insert = d.prepare<[number]>('INSERT INTO t (n) VALUES (?)');
  return (n: number): number => Number(insert.run(n).lastInsertRowid);
};
/** Frames in the WAL: every commit appends at least one (its last page carries the commit mark). */
const walFrames = (): number => (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;
const rows = (): number[] => db.prepare('SELECT n FROM t ORDER BY n').pluck().all() as number[];
const rejection = async (p: Promise<unknown>): Promise<unknown> => p.then(() => 'resolved', (err: unknown) => err);

test('writes asked for in one turn share one commit; in separate turns, one commit each', async () => {
  const group = new GroupCommit(db, insertInto(db), 1000);
  db.pragma('wal_checkpoint(TRUNCATE)');
  await Promise.all(Array.from({ length: 20 }, (_, i) => group.run(i + 1)));
  const together = walFrames();
  db.pragma('wal_checkpoint(TRUNCATE)');
  for (let i = 21; i <= 40; i++) await group.run(i);
  const apart = walFrames();
  assert.is(rows().length, 40);
  assert.ok(together <= 2, `one commit of one page: ${together} frames`);
  assert.ok(apart >= 20, `twenty commits: ${apart} frames`);
});

test('a write that fails refuses itself alone; the others in its batch commit', async () => {
  const group = new GroupCommit(db, insertInto(db), 1000);
  const [a, dup, b] = [group.run(1), rejection(group.run(1)), group.run(2)];
  assert.is(await a, 1);
  assert.is(await b, 2);
  const err = await dup;
  assert.instance(err, Database.SqliteError);
  assert.is((err as InstanceType<typeof Database.SqliteError>).code, 'SQLITE_CONSTRAINT_PRIMARYKEY');
  assert.equal(rows(), [1, 2]);
});

test('a write resolves only once committed: another connection already sees it', async () => {
  const group = new GroupCommit(db, insertInto(db), 1000);
  const other = new Database(join(dir, 'g.db'), { readonly: true });
  try {
    const written = group.run(7);
    assert.is(other.prepare('SELECT count(*) FROM t').pluck().get(), 0, 'not before the end of the turn');
    await written;
    assert.is(other.prepare('SELECT count(*) FROM t').pluck().get(), 1);
  } finally {
    other.close();
  }
});

test('while another connection holds the write lock the loop keeps running, and the batch commits once it is free', async () => {
  const group = new GroupCommit(db, insertInto(db), 2000);
  const other = new Database(join(dir, 'g.db'));
  try {
    other.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const written = group.run(1);
    await new Promise((r) => setTimeout(r, 100));
    clearInterval(ticker);
    assert.ok(ticks >= 10, `the loop ran ${ticks} timer ticks meanwhile`);
    assert.equal(rows(), []);
    other.exec('COMMIT');
    assert.is(await written, 1);
    assert.equal(rows(), [1]);
  } finally {
    other.close();
  }
});

test('past the busy timeout every write of the batch fails with SQLITE_BUSY, and nothing is written', async () => {
  const group = new GroupCommit(db, insertInto(db), 60);
  const other = new Database(join(dir, 'g.db'));
  try {
    other.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    const errs = await Promise.all([rejection(group.run(1)), rejection(group.run(2))]);
    assert.ok(performance.now() - started >= 59, 'it waited the whole busy timeout first');
    for (const err of errs) assert.is((err as { code?: string }).code, 'SQLITE_BUSY');
    other.exec('ROLLBACK');
    assert.equal(rows(), []);
    assert.is(await group.run(3), 3, 'the next batch commits');
  } finally {
    other.close();
  }
});

test('flush commits what is pending at once (close does it before closing the connection)', async () => {
  const group = new GroupCommit(db, insertInto(db), 1000);
  const written = group.run(5);
  group.flush();
  db.close();
  assert.is(await written, 5);
  const reopened = new Database(join(dir, 'g.db'), { readonly: true });
  assert.is(reopened.prepare('SELECT n FROM t').pluck().get(), 5);
  reopened.close();
});

test.run();
