import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openSqliteEventAppender } from '../../../adapters/sqlite/sqlite-event-appender.js';
import { openSqliteEventStore } from '../../../adapters/sqlite/sqlite-event-store.js';

// The log's writer runs each append of a group commit in a savepoint; SQLite keeps the original image of each existing
// page a savepoint changes, and past 64 KiB spills them to a temporary file (created and unlinked at once). With
// tempInMemory (temp_store = MEMORY) they stay in memory: no page of the log is written outside the data dir.
const test = suite('openDatabase tempInMemory');
let dir = '';
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-temp-'));
});
test.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

const appenderModule = new URL('../../../adapters/sqlite/sqlite-event-appender.js', import.meta.url).href;

/**
 * A child process (SQLite reads SQLITE_TMPDIR once, when it starts) fills 2,000 streams, then appends once to 40 of
 * them spread over the table: that append's savepoint changes ~40 existing pages, ~160 KiB of original images.
 */
const batchInChild = (dbPath: string, tempDir: string, tempInMemory: boolean): Promise<string> => {
  const script = `
    const { openSqliteEventAppender } = await import(${JSON.stringify(appenderModule)});
    const store = openSqliteEventAppender(${JSON.stringify(dbPath)}, { tempInMemory: ${tempInMemory} });
    const meta = { requestId: 'r', ip: '192.0.2.1', dialect: 'native', userAgent: null };
    const write = (i) => ({ kind: 'probe', id: 'p' + i, expectedVersion: 'any', events: [{ type: 'UnknownUserAttempted', data: { attempts: 1, pad: 'x'.repeat(600) } }] });
    const filled = store.appendMany(Array.from({ length: 2000 }, (_, i) => ({ commandId: 'fill-' + i, writes: [write(i)], meta, at: 1700000000000 })));
    const spread = store.appendMany([{ commandId: 'spread', writes: Array.from({ length: 40 }, (_, i) => write(i * 50)), meta, at: 1700000000000 }]);
    store.close();
    const failed = [...filled, ...spread].find((o) => !o.ok);
    process.stdout.write(failed === undefined ? 'ok' : JSON.stringify(failed));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, SQLITE_TMPDIR: tempDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`))));
  });
};

/** Files created (or removed) in `tempDir` while the batch ran, seen by inotify even though SQLite unlinks them at once. */
const tempFilesDuring = async (tempInMemory: boolean): Promise<number> => {
  const tempDir = join(dir, 'tmp');
  mkdirSync(tempDir);
  let seen = 0;
  const watcher = watch(tempDir, () => {
    seen++;
  });
  try {
    assert.is(await batchInChild(join(dir, 'log.db'), tempDir, tempInMemory), 'ok');
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    watcher.close();
  }
  return seen;
};

test('without it, an append that changes many existing pages spills to a temporary file (the case it exists for)', async () => {
  assert.ok((await tempFilesDuring(false)) > 0, 'SQLite made a file in SQLITE_TMPDIR');
});

test('with it, the same appends commit and no temporary file is made', async () => {
  assert.is(await tempFilesDuring(true), 0);
});

test('the pragma is set on the connection only when asked (readers and replay --apply keep the default)', () => {
  const plain = openSqliteEventStore(join(dir, 'a.db'));
  const writer = openSqliteEventAppender(join(dir, 'a.db'), { tempInMemory: true });
  try {
    assert.is(plain.db.pragma('temp_store', { simple: true }), 0);
    assert.is(writer.db.pragma('temp_store', { simple: true }), 2);
  } finally {
    plain.close();
    writer.close();
  }
});

test.run();
