import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { replayProjections } from '../../../adapters/sqlite/replay-projections.js';
import { type SqliteEventStore, openSqliteEventStore } from '../../../adapters/sqlite/sqlite-event-store.js';
import { randomHistory } from '../event-store-contract.js';

const test = suite('replayProjections');
let dir = '';
let path = '';
let store: SqliteEventStore;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-replay-'));
  path = join(dir, 'a.db');
  store = openSqliteEventStore(path);
});
test.after.each(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const liveTables = () => ({
  projections: store.db.prepare('SELECT * FROM projections ORDER BY stream').all(),
  usernames: store.db.prepare('SELECT * FROM usernames ORDER BY username').all(),
});

test('docs/security.md §33: after hundreds of random appends, the rebuild equals the live tables (several seeds)', async () => {
  for (const seed of [1, 2, 3]) {
    for (const req of randomHistory(seed, 300)) await store.append(req);
    const events = store.db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    const streams = store.db.prepare('SELECT count(DISTINCT stream) FROM events').pluck().get() as number;
    const { events: replayed, streams: rebuilt, equal, differences, applied, differenceCount } = replayProjections(store.db);
    assert.equal({ replayed, rebuilt, equal, differences, applied, differenceCount }, { replayed: events, rebuilt: streams, equal: true, differences: [], applied: false, differenceCount: 0 }, `seed ${seed}`);
  }
  assert.ok((store.db.prepare('SELECT count(*) FROM usernames').pluck().get() as number) > 10);
  // By path, on its own connection, while the store's connection stays open (the CLI next to a running server).
  const progress: number[] = [];
  const byPath = replayProjections(path, { onProgress: (done) => progress.push(done) });
  assert.ok(byPath.equal);
  assert.is(progress.at(-1), byPath.events);
});

test('a live table changed behind the log is reported, and --apply puts the rebuilt tables in its place', async () => {
  for (const req of randomHistory(5, 200)) await store.append(req);
  const before = liveTables();
  const [victim, other] = store.db.prepare("SELECT stream FROM projections WHERE kind = 'account' ORDER BY stream LIMIT 2").pluck().all() as string[];
  store.db.prepare("UPDATE projections SET state = json_set(state, '$.account.failures', 0, '$.account.lock', json('{\"status\":\"open\"}')) WHERE stream = ?").run(victim);
  store.db.prepare('UPDATE projections SET version = version + 1 WHERE stream = ?').run(other);
  store.db.prepare("INSERT INTO projections VALUES ('session-forged', 'session', 1, '{\"status\":\"none\"}')").run();
  store.db.prepare("DELETE FROM projections WHERE kind = 'probe' AND stream = (SELECT min(stream) FROM projections WHERE kind = 'probe')").run();
  store.db.prepare("INSERT INTO usernames VALUES ('mallory', 'a-forged')").run();

  const found = replayProjections(store.db);
  assert.is(found.equal, false);
  const text = found.differences.join('\n');
  assert.match(text, `${victim}: state differs`);
  assert.match(text, `${other}: live at version`);
  assert.match(text, 'session-forged: in the live projections');
  assert.match(text, /probe-.*: missing from the live projections/);
  assert.match(text, /username "mallory" → a-forged only in the live table/);
  assert.is(found.differences.length, 5);
  assert.is(found.differenceCount, 5);
  assert.is(found.applied, false);
  assert.not.equal(liveTables(), before, 'a plain replay changes nothing');

  const applied = replayProjections(store.db, { apply: true });
  assert.is(applied.applied, true);
  assert.is(applied.equal, false, 'reports what it replaced');
  assert.equal(liveTables(), before);
  assert.ok(replayProjections(store.db).equal);
  // The store reads the restored rows.
  const streamOf = (s: string) => s.slice(s.indexOf('-') + 1);
  assert.is((await store.load('account', streamOf(other!))).version, (before.projections as { stream: string; version: number }[]).find((r) => r.stream === other)!.version);
});

test('the username skeletons are rebuilt too: a changed, missing or extra one is reported, and --apply restores them', async () => {
  for (const req of randomHistory(7, 120)) await store.append(req);
  const skeletons = () => store.db.prepare('SELECT username, skeleton FROM username_skeletons ORDER BY username').raw().all();
  const before = skeletons();
  assert.ok(before.length >= 2);
  const [first, second] = before as [string, string][];
  store.db.prepare("UPDATE username_skeletons SET skeleton = 'forged' WHERE username = ?").run(first![0]);
  store.db.prepare('DELETE FROM username_skeletons WHERE username = ?').run(second![0]);
  // A skeleton for a name no account claims (nor the live usernames table): a look-alike check would refuse it.
  store.db.prepare("INSERT INTO username_skeletons VALUES ('mallory', 'mallory')").run();
  const found = replayProjections(store.db);
  assert.is(found.equal, false);
  assert.equal([...found.differences].sort(), [
    `username ${JSON.stringify(first![0])}: its skeleton differs from the live table's`,
    `username ${JSON.stringify(second![0])}: no skeleton in the live table`,
    'username "mallory": its skeleton is in the live table only',
  ].sort());
  replayProjections(store.db, { apply: true });
  assert.equal(skeletons(), before);
  assert.ok(replayProjections(store.db).equal);
});

test('an empty log replays to empty tables', () => {
  const { claimedUsernames, ...rest } = replayProjections(store.db);
  assert.equal(rest, { events: 0, streams: 0, equal: true, differences: [], applied: false, differenceCount: 0 });
  assert.is(claimedUsernames.size, 0);
});

test('a log edited behind the triggers is reported: a version gap, a stream of no known kind', async () => {
  for (const req of randomHistory(9, 50)) await store.append(req);
  const [stream, seq] = store.db.prepare('SELECT stream, max(seq) FROM events GROUP BY stream HAVING count(*) >= 2 ORDER BY stream LIMIT 1').raw().get() as [string, number];
  store.db.exec('DROP TRIGGER events_refuse_update');
  store.db.prepare('UPDATE events SET version = version + 1 WHERE seq = ?').run(seq);
  store.db.prepare("UPDATE events SET stream = 'widget-1' WHERE seq = 1").run();
  const result = replayProjections(store.db);
  assert.is(result.equal, false);
  const text = result.differences.join('\n');
  assert.match(text, `event ${seq}: ${stream} version`);
  assert.match(text, 'event 1: stream widget-1 is of no known kind');
});

test.run();
