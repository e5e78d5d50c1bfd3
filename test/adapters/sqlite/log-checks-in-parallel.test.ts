import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { threadsOption } from '../../../adapters/cli/threads-option.js';
import { replayLog } from '../../../adapters/sqlite/replay-log.js';
import { replayProjections } from '../../../adapters/sqlite/replay-projections.js';
import { openSqliteEventStore } from '../../../adapters/sqlite/sqlite-event-store.js';
import { verifyChain } from '../../../adapters/sqlite/verify-chain.js';
import { verifyLog } from '../../../adapters/sqlite/verify-log.js';
import { tamperedCopy as tamperedCopyOf } from '../../helpers/tampered-copy.js';
import { randomHistory } from '../event-store-contract.js';

// `latchkey replay` and `latchkey verify` split a log over worker threads: each split must find exactly what one
// thread finds, wherever the damage is (first share, last share, the row on a boundary).
const test = suite('replay and verify in parallel');
let dir = '';
let path = '';
let count = 0;
test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-parallel-'));
  path = join(dir, 'a.db');
  const store = openSqliteEventStore(path);
  for (const req of randomHistory(21, 400)) await store.append(req);
  count = store.db.prepare('SELECT count(*) FROM events').pluck().get() as number;
  store.close();
});
test.after(() => {
  rmSync(dir, { recursive: true, force: true });
});

let copies = 0;
const tamperedCopy = (edit: (db: Database.Database) => void): string => tamperedCopyOf(path, join(dir, `tampered-${copies++}.db`), edit);

test('verify: three threads agree with one on an untouched log, and report progress over all shares', async () => {
  assert.ok(count > 300, `${count} events`);
  const seen: number[] = [];
  assert.equal(await verifyLog(path, { threads: 3, onProgress: (done) => seen.push(done) }), { ok: true, events: count });
  assert.is(seen.at(-1), count);
  assert.equal(await verifyLog(path, { threads: 1 }), verifyChain(path));
});

test('verify: damage in any share, and on a share boundary, is found where one thread finds it', async () => {
  // Three shares of a log of `count` rows start at 1, 1 + w and 1 + 2w.
  const w = Math.ceil(count / 3);
  const edits = [
    `UPDATE events SET at = at + 1 WHERE seq = 7`,
    `UPDATE events SET data = replace(data, '"', ' "') WHERE seq = ${w + 3}`,
    `DELETE FROM events WHERE seq = ${w}`, // the last row of share 1: share 2's first row no longer chains
    `DELETE FROM events WHERE seq = ${w + 1}`, // the first row of share 2: it chains from a row that is not its own
    `UPDATE events SET hash = randomblob(32) WHERE seq = ${2 * w + 1}`,
    `UPDATE events SET meta = '{}' WHERE seq = ${count}`,
  ];
  for (const sql of edits) {
    const copy = tamperedCopy((db) => assert.is(db.prepare(sql).run().changes, 1, sql));
    const one = verifyChain(copy);
    assert.is(one.ok, false, sql);
    assert.equal(await verifyLog(copy, { threads: 3 }), one, sql);
    rmSync(copy);
  }
});

test('replay: three partitions agree with one on an untouched log', async () => {
  const one = replayProjections(path);
  const three = await replayLog(path, { threads: 3 });
  assert.ok(one.equal);
  assert.equal({ ...three, claimedUsernames: [...three.claimedUsernames].sort() }, { ...one, claimedUsernames: [...one.claimedUsernames].sort() });
});

test('replay: every difference one thread reports, the partitions report too', async () => {
  const copy = tamperedCopy((db) => {
    const streams = db.prepare('SELECT stream FROM projections ORDER BY stream').pluck().all() as string[];
    // Rows spread over the partitions: changed state, changed version, a forged row, a deleted row, a forged name.
    for (const stream of streams.filter((_, i) => i % 7 === 0).slice(0, 6)) db.prepare('UPDATE projections SET version = version + 1 WHERE stream = ?').run(stream);
    db.prepare("UPDATE projections SET state = json_set(state, '$.status', 'x') WHERE stream = ?").run(streams[3]);
    db.prepare("INSERT INTO projections VALUES ('session-forged0', 'session', 1, '{}')").run();
    db.prepare('DELETE FROM projections WHERE stream = ?').run(streams[5]);
    db.prepare("INSERT INTO usernames VALUES ('mallory', 'forged-a1')").run();
  });
  const one = replayProjections(copy);
  const three = await replayLog(copy, { threads: 3 });
  assert.is(one.differenceCount, 10);
  assert.is(three.differenceCount, one.differenceCount);
  assert.equal([...three.differences].sort(), [...one.differences].sort());
  assert.is(three.equal, false);
});

test('replay: the skeletons are judged in partitions as in one thread, a row of no live name included', async () => {
  const copy = tamperedCopy((db) => {
    const names = db.prepare('SELECT username FROM usernames ORDER BY username').pluck().all() as string[];
    assert.ok(names.length >= 6);
    for (const name of names.filter((_, i) => i % 3 === 0).slice(0, 3)) db.prepare("UPDATE username_skeletons SET skeleton = 'forged' WHERE username = ?").run(name);
    db.prepare('DELETE FROM username_skeletons WHERE username = ?').run(names[1]);
    db.prepare("INSERT INTO username_skeletons VALUES ('orphan', 'orphan')").run();
    db.prepare("INSERT INTO usernames VALUES ('mallory', 'forged-a1')").run();
    db.prepare("INSERT INTO username_skeletons VALUES ('mallory', 'mallory')").run();
  });
  const one = replayProjections(copy);
  assert.is(one.differenceCount, 7, one.differences.join('\n'));
  for (const threads of [2, 3]) {
    const parts = await replayLog(copy, { threads });
    assert.equal([...parts.differences].sort(), [...one.differences].sort(), `${threads} threads`);
  }
});

test('replay: a username claimed by two accounts of different partitions is reported', async () => {
  let username = '';
  let first = { accountId: '' };
  let target = { accountId: '' };
  const copy = tamperedCopy((db) => {
    const [seq, data] = db.prepare("SELECT seq, data FROM events WHERE type = 'AccountRegistered' ORDER BY seq LIMIT 1").raw().get() as [number, string];
    username = (JSON.parse(data) as { username: string }).username;
    // A second registration of that name, by an account whose id ends in the other partition's characters.
    const other = db.prepare("SELECT data FROM events WHERE type = 'AccountRegistered' AND seq > ? ORDER BY seq").pluck().all(seq) as string[];
    first = JSON.parse(data) as { accountId: string };
    // The partition of an id, as replay-projections.ts computes it in SQL for two partitions.
    const half = (id: string) => id.charCodeAt(id.length - 2) % 2;
    target = other.map((d) => JSON.parse(d) as { accountId: string; username: string }).find((d) => half(d.accountId) !== half(first.accountId))!;
    db.prepare("UPDATE events SET data = json_set(data, '$.username', ?) WHERE type = 'AccountRegistered' AND json_extract(data, '$.accountId') = ?").run(username, target.accountId);
  });
  const one = replayProjections(copy);
  assert.is(one.equal, false);
  const two = await replayLog(copy, { threads: 2 });
  assert.is(two.equal, false);
  const text = two.differences.join('\n');
  const pair = [first.accountId, target.accountId];
  assert.ok(
    [pair, [...pair].reverse()].some(([a, b]) => text.includes(`username ${JSON.stringify(username)} claimed by two accounts in the log: ${a} and ${b}`)),
    text,
  );
});

test('replay --apply runs on one thread whatever was asked', async () => {
  const copy = tamperedCopy((db) => db.prepare("INSERT INTO projections VALUES ('session-forged1', 'session', 1, '{}')").run());
  const applied = await replayLog(copy, { apply: true, threads: 4 });
  assert.is(applied.applied, true);
  assert.ok((await replayLog(copy, { threads: 2 })).equal);
});

test('--threads takes a count; anything else is refused', () => {
  assert.is(threadsOption(['--apply']), undefined);
  assert.is(threadsOption(['--threads', '3']), 3);
  for (const bad of [[], ['0'], ['-1'], ['2.5'], ['abc'], ['1000'], ['03']]) assert.instance(threadsOption(['--threads', ...bad]), Error, bad.join());
});

test.run();
