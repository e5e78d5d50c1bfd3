import { copyFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import type Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chainHash } from '../../../adapters/event-log/chain-hash.js';
import type { EventTuple } from '../../../adapters/event-log/event-tuple.js';
import { eventColumns } from '../../../adapters/event-log/stored-event-from-row.js';
import { tamperedCopy } from '../../helpers/tampered-copy.js';
import { createUser, startTestServer } from '../../helpers/test-server.js';
import { latchkey } from './audit-cli-fixture.js';

const checkpointFile = 'latchkey.checkpoint.json';

/** A data dir with the key and checkpoint of `from` and the log `edit` makes of its database (triggers dropped). */
const tamperedDir = (from: string, edit: (db: Database.Database) => void, database = join(from, 'latchkey.db')): string => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-checkpoint-tampered-'));
  for (const f of ['signing-key.pem', 'secret.key', checkpointFile]) copyFileSync(join(from, f), join(dir, f));
  tamperedCopy(database, join(dir, 'latchkey.db'), edit);
  return dir;
};

const logins = async (dataDir: string, n: number) => {
  const s = await startTestServer({ dataDir });
  try {
    const alice = await createUser(s, { username: `alice${n}`, password: 'canary-Password-7f3a9c', totp: false, mfa: 'exempt' });
    for (let i = 0; i < n; i++) await s.call('POST', '/v1/login', { json: { username: alice.username, password: i % 2 === 0 ? 'wrong-password' : alice.password } });
  } finally {
    await s.close({ keepData: true });
  }
};

const headSeq = (dataDir: string): number => (JSON.parse(readFileSync(join(dataDir, checkpointFile), 'utf8')) as { seq: number }).seq;

test('the writer signs the head; truncation, an older copy and a fork each make verify exit 1 naming the last good seq', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-checkpoint-'));
  const dirs = [dataDir];
  try {
    await logins(dataDir, 4);
    const older = join(dataDir, 'older.db');
    copyFileSync(join(dataDir, 'latchkey.db'), older);
    await logins(dataDir, 6);

    const ok = latchkey(dataDir, 'verify');
    assert.is(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /hash chain ok/);
    assert.match(ok.stdout, /checkpoint ok: the log holds the signed head at seq (\d+)\n/);
    const head = headSeq(dataDir);
    const db = new Sqlite(join(dataDir, 'latchkey.db'), { readonly: true });
    assert.is(head, db.prepare('SELECT max(seq) FROM events').pluck().get(), 'the checkpoint is at the head once the server closed');
    db.close();
    assert.ok(head > 12, `seq ${head}`);

    // 1. The attack: drop the delete trigger, delete the last 5 events. The chain still checks out.
    const truncated = tamperedDir(dataDir, (db) => db.prepare('DELETE FROM events WHERE seq > ?').run(head - 5));
    dirs.push(truncated);
    const cut = latchkey(truncated, 'verify');
    assert.match(cut.stdout, /hash chain ok/);
    assert.is(cut.status, 1, cut.stdout);
    const cutGood = Number(/TRUNCATED or ROLLED BACK: it ends at seq (\d+), the signed checkpoint is at seq (\d+); last good seq (\d+)/.exec(cut.stdout)?.[3]);
    assert.ok(cutGood > 0 && cutGood <= head - 5, cut.stdout);

    // 2. A rollback: the whole database swapped for an older copy of itself.
    const rolledBack = tamperedDir(dataDir, () => undefined, older);
    dirs.push(rolledBack);
    const back = latchkey(rolledBack, 'verify');
    assert.is(back.status, 1, back.stdout);
    assert.match(back.stdout, /hash chain ok/);
    assert.match(back.stdout, /ROLLED BACK: it ends at seq \d+, the signed checkpoint is at seq \d+; last good seq \d+/);
    // … and the server does not append to it (the next checkpoint would sign over the evidence).
    let refused: unknown = null;
    await startTestServer({ dataDir: rolledBack }).then((s) => s.close({ keepData: true }), (err: unknown) => (refused = err));
    assert.match(String(refused), /refusing to append/);

    // 3. A fork: the last event rewritten (another address) and the chain recomputed over it.
    const forked = tamperedDir(dataDir, (db) => {
      const row = db.prepare(`SELECT ${eventColumns} FROM events WHERE seq = ?`).raw().get(head) as EventTuple;
      const previous = db.prepare('SELECT hash FROM events WHERE seq = ?').pluck().get(head - 1) as Buffer;
      const changed: EventTuple = [...row];
      changed[7] = row[7].replace('127.0.0.1', '10.6.6.6');
      assert.is.not(changed[7], row[7]);
      db.prepare('DELETE FROM events WHERE seq = ?').run(head);
      db.prepare('INSERT INTO events (seq, id, stream, version, type, schema, data, meta, at, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(...changed, chainHash(previous, changed));
    });
    dirs.push(forked);
    const fork = latchkey(forked, 'verify');
    assert.match(fork.stdout, /hash chain ok/);
    assert.is(fork.status, 1, fork.stdout);
    const forkGood = Number(new RegExp(`FORKED: the row at seq ${head} differs from the signed checkpoint's; last good seq (\\d+)`).exec(fork.stdout)?.[1]);
    assert.ok(forkGood > 0 && forkGood < head, fork.stdout);

    // 4. The checkpoint deleted along with the tail: still exit 1.
    const gone = tamperedDir(dataDir, (db) => db.prepare('DELETE FROM events WHERE seq > ?').run(head - 5));
    dirs.push(gone);
    unlinkSync(join(gone, checkpointFile));
    const missing = latchkey(gone, 'verify');
    assert.is(missing.status, 1, missing.stdout);
    assert.match(missing.stdout, /checkpoint MISSING/);
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('checkpoint --print and the export carry the head off the machine; verify --checkpoint proves a later truncation', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-checkpoint-ship-'));
  const dirs = [dataDir];
  try {
    await logins(dataDir, 4);
    const printed = latchkey(dataDir, 'checkpoint', '--print');
    assert.is(printed.status, 0, printed.stderr);
    const shipped = JSON.parse(printed.stdout) as { seq: number; hash: string; signature: string; kid: string };
    assert.is(shipped.seq, headSeq(dataDir));
    assert.match(shipped.hash, /^[0-9a-f]{64}$/);
    // As a cron job appends them: the newest last.
    const shippedFile = join(dataDir, 'shipped.ndjson');
    writeFileSync(shippedFile, `${JSON.stringify({ ...shipped, seq: 1 })}\n${printed.stdout}`);
    const exported = latchkey(dataDir, 'audit', 'export');
    assert.is(exported.status, 0, exported.stderr);
    const lastLine = JSON.parse(exported.stdout.trimEnd().split('\n').at(-1)!) as { checkpoint: { seq: number } };
    assert.is(lastLine.checkpoint.seq, shipped.seq);
    const exportFile = join(dataDir, 'export.ndjson');
    writeFileSync(exportFile, exported.stdout);

    // More events later: the shipped checkpoint lags the log, which is fine.
    await logins(dataDir, 2);
    const lagging = latchkey(dataDir, 'verify', '--checkpoint', shippedFile);
    assert.is(lagging.status, 0, lagging.stdout);
    assert.match(lagging.stdout, new RegExp(`signed head at seq ${shipped.seq} \\(\\d+ later events not yet checkpointed\\)`));

    // The attacker cuts the log and rewrites the checkpoint on the box too (here: deletes it); the copies kept off it still tell.
    const cut = tamperedDir(dataDir, (db) => db.prepare('DELETE FROM events WHERE seq > ?').run(shipped.seq - 3));
    dirs.push(cut);
    unlinkSync(join(cut, checkpointFile));
    for (const file of [shippedFile, exportFile]) {
      const r = latchkey(cut, 'verify', '--checkpoint', file);
      assert.is(r.status, 1, r.stdout);
      assert.match(r.stdout, new RegExp(`ends at seq ${shipped.seq - 3}, the signed checkpoint is at seq ${shipped.seq}`));
    }

    // A checkpoint whose numbers were edited no longer verifies.
    const forged = join(dataDir, 'forged.json');
    writeFileSync(forged, JSON.stringify({ ...shipped, seq: shipped.seq - 3 }));
    const bad = latchkey(cut, 'verify', '--checkpoint', forged);
    assert.is(bad.status, 1, bad.stdout);
    assert.match(bad.stdout, /checkpoint INVALID/);
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test.run();
