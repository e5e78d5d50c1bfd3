import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkpointSignatureOk, parseCheckpoint } from '../../../adapters/event-log/checkpoint.js';
import { CheckpointWriter } from '../../../adapters/event-log/checkpoint-writer.js';

const { privateKey } = generateKeyPairSync('ed25519');
const hashOf = (seq: number, fork = '') => `${fork || 'a'}${String(seq).padStart(63, '0')}`.slice(0, 64);

/** A log that is a list of hashes by seq; `fork` rewrites it from a seq on. */
const fakeLog = () => {
  const rows = new Map<number, string>();
  let head = 0;
  return {
    append: (n: number) => {
      for (let i = 0; i < n; i++) rows.set(++head, hashOf(head));
    },
    cut: (to: number) => {
      for (let s = to + 1; s <= head; s++) rows.delete(s);
      head = to;
    },
    fork: (from: number) => {
      for (let s = from; s <= head; s++) rows.set(s, hashOf(s, 'b'));
    },
    head: () => ({ seq: head, hash: rows.get(head) ?? '0'.repeat(64) }),
    hashAt: (seq: number) => rows.get(seq),
  };
};

test('monotonic, signed, anchored; never over a log that lost the last checkpoint, never below it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-checkpoint-writer-'));
  try {
    const path = join(dir, 'latchkey.checkpoint.json');
    const log = fakeLog();
    const onDisk = () => parseCheckpoint(readFileSync(path, 'utf8')) as Exclude<ReturnType<typeof parseCheckpoint>, Error>;
    const writer = () => new CheckpointWriter({ path, key: privateKey, kid: 'k', intervalMs: 0, head: log.head, hashAt: log.hashAt });
    const w = writer();
    for (let i = 0; i < 40; i++) {
      log.append(3);
      await w.flush();
    }
    const c = onDisk();
    assert.is(c.seq, 120);
    assert.ok(checkpointSignatureOk(c, createPublicKey(privateKey)));
    assert.ok(c.anchors.length >= 5 && c.anchors.length <= 8, `${c.anchors.length} anchors`);
    assert.ok(c.anchors.some((a) => a.seq <= 3), 'the oldest anchor stays');
    assert.ok(c.anchors.every((a) => a.hash === hashOf(a.seq)));

    log.cut(100);
    await writer().flush();
    assert.is(onDisk().seq, 120, 'a log behind the checkpoint is not signed (a fresh writer reads the file)');
    log.append(30);
    log.fork(115);
    let refused: unknown = null;
    await writer().flush().catch((err: unknown) => (refused = err));
    assert.match(String(refused), /no longer holds the last checkpoint/);
    assert.equal(onDisk(), c, 'the evidence is not overwritten');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a writer whose hashAt is a query (a PostgreSQL node): at most one checkpoint per interval, off the commits, none over a fork', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-checkpoint-writer-'));
  try {
    const path = join(dir, 'latchkey.checkpoint.json');
    const log = fakeLog();
    let clock = 1_000_000;
    let queries = 0;
    const hashAt = async (seq: number) => {
      queries++;
      await new Promise((resolve) => setTimeout(resolve, 2));
      return log.hashAt(seq);
    };
    const w = new CheckpointWriter({ path, key: privateKey, kid: 'k', intervalMs: 60_000, head: log.head, hashAt, now: () => clock });
    const writes = () => (existsSync(path) ? (parseCheckpoint(readFileSync(path, 'utf8')) as Exclude<ReturnType<typeof parseCheckpoint>, Error>) : null);
    log.append(1);
    w.committed();
    assert.is(writes(), null, 'committed() signs nothing itself: the write comes after, from a timer');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.is(writes()?.seq, 1);
    // 200 commit batches within the interval: no checkpoint until it has passed.
    for (let i = 0; i < 200; i++) {
      log.append(1);
      w.committed();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.is(writes()?.seq, 1, 'not twice in one interval');
    assert.is(queries, 0, 'no fork check without a write');
    // The clock passes the interval; the pending timer still waits for real time, so flush (as a node closes) writes now.
    clock += 60_000;
    await w.flush();
    assert.is(writes()?.seq, 201);
    assert.is(queries, 1, 'one fork check a write');
    log.append(5);
    log.fork(200);
    clock += 60_000;
    let refused: unknown = null;
    await w.flush().catch((err: unknown) => (refused = err));
    assert.match(String(refused), /no longer holds the last checkpoint/);
    assert.is(writes()?.seq, 201, 'the evidence is not overwritten');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
