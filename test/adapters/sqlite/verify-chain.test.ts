import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openSqliteEventStore } from '../../../adapters/sqlite/sqlite-event-store.js';
import { verifyChain } from '../../../adapters/sqlite/verify-chain.js';
import { tamperedCopy as tamperedCopyOf } from '../../helpers/tampered-copy.js';
import { randomHistory } from '../event-store-contract.js';

const test = suite('verifyChain');
let dir = '';
let path = '';
let count = 0;
test.before.each(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-verify-'));
  path = join(dir, 'a.db');
  const store = openSqliteEventStore(path);
  for (const req of randomHistory(11, 60)) await store.append(req);
  count = (await store.read({ after: 0, limit: 100_000 })).length;
  store.close(); // checkpoints the WAL into the file, so a copy of the file is the whole log
});
test.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

const tamperedCopy = (edit: (db: Database.Database) => void): string => tamperedCopyOf(path, join(dir, 'tampered.db'), edit);

test('an untouched log verifies, by path and by connection, and reports progress', () => {
  assert.ok(count > 60);
  const seen: number[] = [];
  assert.equal(
    verifyChain(path, (done) => seen.push(done)),
    { ok: true, events: count },
  );
  assert.is(seen.at(-1), count);
  const db = new Database(path, { readonly: true });
  assert.equal(verifyChain(db), { ok: true, events: count });
  db.close();
});

test('one changed byte of one event breaks the chain at that event', () => {
  const seq = 37;
  const copy = tamperedCopy((db) => {
    const data = db.prepare('SELECT data FROM events WHERE seq = ?').pluck().get(seq) as string;
    const i = data.search(/[0-9a-z]/);
    const changed = data.slice(0, i) + (data[i] === '1' ? '2' : '1') + data.slice(i + 1);
    assert.is(changed.length, data.length);
    assert.is.not(changed, data);
    db.prepare('UPDATE events SET data = ? WHERE seq = ?').run(changed, seq);
  });
  assert.equal(verifyChain(copy), { ok: false, events: seq - 1, firstBadSeq: seq });
  assert.equal(verifyChain(path), { ok: true, events: count }, 'the original is untouched');
});

test('every hashed column is covered: meta, at, stream, version, type, id', () => {
  const edits = [
    "UPDATE events SET meta = replace(meta, 'req-', 'REQ-') WHERE seq = 5",
    'UPDATE events SET at = at + 1 WHERE seq = 5',
    "UPDATE events SET stream = stream || 'x' WHERE seq = 5",
    'UPDATE events SET version = version + 1000 WHERE seq = 5',
    "UPDATE events SET type = 'AccountUnlocked' WHERE seq = 5",
    "UPDATE events SET id = id || 'x' WHERE seq = 5",
    'UPDATE events SET schema = 2 WHERE seq = 5',
  ];
  for (const sql of edits) {
    const copy = tamperedCopy((db) => assert.is(db.prepare(sql).run().changes, 1));
    assert.equal(verifyChain(copy), { ok: false, events: 4, firstBadSeq: 5 }, sql);
    rmSync(copy);
  }
});

test('a deleted row breaks the chain at the row after it; a rewritten hash breaks its own row', () => {
  const deleted = tamperedCopy((db) => db.prepare('DELETE FROM events WHERE seq = 20').run());
  assert.equal(verifyChain(deleted), { ok: false, events: 19, firstBadSeq: 21 });
  rmSync(deleted);
  const rehashed = tamperedCopy((db) => db.prepare('UPDATE events SET hash = randomblob(32) WHERE seq = 1').run());
  assert.equal(verifyChain(rehashed), { ok: false, events: 0, firstBadSeq: 1 });
  rmSync(rehashed);
  const nulled = tamperedCopy((db) => db.prepare("UPDATE events SET hash = 'text' WHERE seq = 2").run());
  assert.equal(verifyChain(nulled), { ok: false, events: 1, firstBadSeq: 2 });
});

test('an empty log verifies with 0 events; a missing file is an error, not an empty log', () => {
  const empty = join(dir, 'empty.db');
  openSqliteEventStore(empty).close();
  assert.equal(verifyChain(empty), { ok: true, events: 0 });
  assert.throws(() => verifyChain(join(dir, 'nope.db')));
});

test.run();
