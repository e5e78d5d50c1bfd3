import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type ServerProcess, startServerProcess } from '../../../bench/server-process.js';
import { chainHash } from '../../../adapters/event-log/chain-hash.js';
import type { EventTuple } from '../../../adapters/event-log/event-tuple.js';
import { eventColumns } from '../../../adapters/event-log/stored-event-from-row.js';
import { openPgPool } from '../../../adapters/postgres/open-pg-pool.js';
import { call } from '../../helpers/http.js';
import { startThrowawayPostgres } from '../../helpers/throwaway-postgres.js';

/*
 * Signed checkpoints of the PostgreSQL log (docs/security.md §34): real server processes on a throwaway PostgreSQL,
 * each node with a data dir and signing key of its own, where it signs the head of the cluster's chain it committed.
 * A database admin then cuts the log's tail, puts back an older pg_dump, or rewrites an event and rehashes the chain
 * after it (with chain_head to match, so the hash chain alone still checks out): `latchkey verify` exits 1 naming
 * the last good seq, and the node refuses to start on that database.
 */
const cli = new URL('../../../../bin/latchkey.cjs', import.meta.url).pathname;
const test = suite('signed checkpoints of the PostgreSQL log');
const postgres = await startThrowawayPostgres();
const work = mkdtempSync(join(tmpdir(), 'latchkey-pg-checkpoint-'));
const adminKey = randomBytes(24).toString('base64url');
const secretKey = randomBytes(32).toString('hex');
const checkpointFile = 'latchkey.checkpoint.json';
const psql = (url: string, sql: string): string => execFileSync('psql', [url, '-qAtc', sql], { encoding: 'utf8' }).trim();
const adminUrl = postgres.url.replace(/\/latchkey$/, '/postgres');
let databases = 0;

/** A data dir with a signing key of its own (its node's). */
const nodeDir = (): string => {
  const dir = join(work, `node-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'signing-key.pem'), generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), { mode: 0o600 });
  return dir;
};

const nodeEnv = (url: string) => ({
  LATCHKEY_DATABASE_URL: url,
  LATCHKEY_SECRET_KEY: secretKey,
  LATCHKEY_ARGON2_MEMORY_KIB: '4096',
  LATCHKEY_ARGON2_ITERATIONS: '1',
  // A checkpoint after every commit batch: many anchors, so a fork below the head still names a good seq.
  LATCHKEY_CHECKPOINT_INTERVAL_MS: '0',
});

const startNode = (dir: string, url: string): Promise<ServerProcess> => startServerProcess(cli, dir, adminKey, nodeEnv(url));

/** `latchkey …` from a node's data dir against the database at `url`. */
const latchkey = (dir: string, url: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', ...nodeEnv(url), LATCHKEY_DATA_DIR: dir }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

let users = 0;
/** A user, then `n` logins, every other one with a wrong password: events through the node's writer. */
const logins = async (node: ServerProcess, n: number): Promise<void> => {
  const username = `pg-checkpoint-${++users}`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const created = await call(node.url, 'POST', '/v1/admin/users', { token: adminKey, json: { username, password, mfa: 'exempt', roles: [] } });
  assert.is(created.status, 201, created.text);
  for (let i = 0; i < n; i++) {
    const r = await call(node.url, 'POST', '/v1/login', { json: { username, password: i % 2 === 0 ? 'wrong-password' : password } });
    assert.is(r.status, i % 2 === 0 ? 401 : 200, r.text);
  }
};

const checkpointOf = (dir: string): { seq: number; hash: string; anchors: { seq: number }[] } => JSON.parse(readFileSync(join(dir, checkpointFile), 'utf8'));
const lastSeq = (url: string): number => Number(psql(url, 'SELECT coalesce(max(seq), 0) FROM events'));

/** A copy of the database at `url` (no connection may be open on it), as the admin's edits start from it. */
const copyOf = (url: string, edit?: string): string => {
  const name = `copy${++databases}`;
  psql(adminUrl, `CREATE DATABASE "${name}" TEMPLATE "${url.slice(url.lastIndexOf('/') + 1)}"`);
  const copy = `${adminUrl.slice(0, adminUrl.lastIndexOf('/'))}/${name}`;
  if (edit !== undefined) psql(copy, `ALTER TABLE events DISABLE TRIGGER USER; ${edit}; ALTER TABLE events ENABLE TRIGGER USER`);
  return copy;
};

/** The tail after `seq` deleted and chain_head moved back to it: the hash chain alone still checks out. */
const cutAfter = (seq: number) => `DELETE FROM events WHERE seq > ${seq}; UPDATE chain_head SET seq = ${seq}, hash = (SELECT hash FROM events WHERE seq = ${seq})`;

/** The event at `seq` rewritten (another client address) and every hash after it recomputed, chain_head too. */
const fork = async (url: string, seq: number): Promise<void> => {
  const pool = openPgPool(url, { max: 1 });
  try {
    const previous = (await pool.query<{ hash: Buffer }>('SELECT hash FROM events WHERE seq = $1', [seq - 1])).rows[0]!.hash;
    const rows = (await pool.query<EventTuple>({ text: `SELECT ${eventColumns} FROM events WHERE seq >= $1 ORDER BY seq`, values: [seq], rowMode: 'array' })).rows;
    const first = rows[0]!;
    const meta = first[7].replace('127.0.0.1', '10.6.6.6');
    assert.is.not(meta, first[7]);
    first[7] = meta;
    let hash = previous;
    await pool.query('ALTER TABLE events DISABLE TRIGGER USER');
    for (const row of rows) {
      hash = chainHash(hash, row);
      await pool.query('UPDATE events SET meta = $2, hash = $3 WHERE seq = $1', [row[0], row[7], hash]);
    }
    await pool.query('ALTER TABLE events ENABLE TRIGGER USER');
    await pool.query('UPDATE chain_head SET hash = $1', [hash]);
  } finally {
    await pool.end();
  }
};

/** The node does not start on `url`, says why, and appends nothing to it. */
const refusesToStart = async (dir: string, url: string, expected: RegExp): Promise<void> => {
  const before = lastSeq(url);
  const checkpoint = readFileSync(join(dir, checkpointFile), 'utf8');
  let refused: unknown = null;
  await startNode(dir, url).then(
    (n) => n.stop(),
    (err: unknown) => (refused = err),
  );
  assert.match(String(refused), /server exited with [1-9]/);
  assert.match(String(refused), expected);
  assert.match(String(refused), /refusing to append to the log/);
  assert.is(lastSeq(url), before, 'nothing appended');
  assert.is(readFileSync(join(dir, checkpointFile), 'utf8'), checkpoint, 'its checkpoint untouched');
};

test.after(() => {
  postgres.destroy();
  rmSync(work, { recursive: true, force: true });
});

test('a node signs the head it committed; a cut tail, an older pg_dump and a fork each make verify exit 1 and the node refuse to start', async () => {
  const url = await postgres.database('one');
  const dir = nodeDir();
  const node = await startNode(dir, url);
  let older: string;
  try {
    await logins(node, 4);
    // The admin's backup, taken while the node runs.
    older = execFileSync('pg_dump', ['--no-owner', url], { encoding: 'utf8' });
    await logins(node, 6);
  } finally {
    await node.stop();
  }
  const head = lastSeq(url);
  assert.ok(head > 14, `seq ${head}`);
  assert.is(checkpointOf(dir).seq, head, "the node's last checkpoint, as it closed, is at the head");
  assert.ok(checkpointOf(dir).anchors.length >= 3, 'earlier heads anchored');

  const ok = latchkey(dir, url, 'verify');
  assert.is(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /hash chain ok/);
  assert.match(ok.stdout, new RegExp(`checkpoint ok: the log holds the signed head at seq ${head}\\n`));

  // 1. The tail cut by deleting rows (and chain_head moved back to match).
  const cut = copyOf(url, cutAfter(head - 5));
  const cutVerify = latchkey(dir, cut, 'verify');
  assert.match(cutVerify.stdout, /hash chain ok/);
  assert.is(cutVerify.status, 1, cutVerify.stdout);
  const cutGood = Number(new RegExp(`TRUNCATED or ROLLED BACK: it ends at seq ${head - 5}, the signed checkpoint is at seq ${head}; last good seq (\\d+)`).exec(cutVerify.stdout)?.[1]);
  assert.ok(cutGood > 0 && cutGood <= head - 5, cutVerify.stdout);
  await refusesToStart(dir, cut, /TRUNCATED or ROLLED BACK/);

  // 2. An older pg_dump restored in its place.
  const restoredName = `restored${++databases}`;
  psql(adminUrl, `CREATE DATABASE "${restoredName}"`);
  const restored = url.replace(/\/one$/, `/${restoredName}`);
  execFileSync('psql', [restored, '-q', '-v', 'ON_ERROR_STOP=1'], { input: older, stdio: ['pipe', 'ignore', 'pipe'] });
  const restoredHead = lastSeq(restored);
  assert.ok(restoredHead > 0 && restoredHead < head, `restored to seq ${restoredHead}`);
  const back = latchkey(dir, restored, 'verify');
  assert.match(back.stdout, /hash chain ok/);
  assert.is(back.status, 1, back.stdout);
  assert.match(back.stdout, new RegExp(`ROLLED BACK: it ends at seq ${restoredHead}, the signed checkpoint is at seq ${head}; last good seq \\d+`));
  await refusesToStart(dir, restored, /ROLLED BACK/);

  // 3. A fork: an event three from the head rewritten, every hash after it recomputed.
  const forked = copyOf(url);
  await fork(forked, head - 3);
  const forkVerify = latchkey(dir, forked, 'verify');
  assert.match(forkVerify.stdout, /hash chain ok/);
  assert.is(forkVerify.status, 1, forkVerify.stdout);
  const forkGood = Number(new RegExp(`FORKED: the row at seq ${head} differs from the signed checkpoint's; last good seq (\\d+)`).exec(forkVerify.stdout)?.[1]);
  assert.ok(forkGood > 0 && forkGood < head - 3, forkVerify.stdout);
  await refusesToStart(dir, forked, /FORKED/);

  // The untouched database: still verified, and the node starts on it again.
  const again = await startNode(dir, url);
  await again.stop();
  assert.is(latchkey(dir, url, 'verify').status, 0);
});

test('checkpoint --print and the export carry a node\'s checkpoint off the machine; verify --checkpoint proves a later cut', async () => {
  const url = await postgres.database('ship');
  const dir = nodeDir();
  let node = await startNode(dir, url);
  try {
    await logins(node, 4);
  } finally {
    await node.stop();
  }
  const printed = latchkey(dir, url, 'checkpoint', '--print');
  assert.is(printed.status, 0, printed.stderr);
  const shipped = JSON.parse(printed.stdout) as { seq: number; hash: string };
  assert.is(shipped.seq, lastSeq(url));
  assert.is(shipped.hash, psql(url, `SELECT encode(hash, 'hex') FROM events WHERE seq = ${shipped.seq}`));
  const shippedFile = join(work, 'shipped.ndjson');
  writeFileSync(shippedFile, printed.stdout);
  const exported = latchkey(dir, url, 'audit', 'export');
  assert.is(exported.status, 0, exported.stderr);
  const lastLine = JSON.parse(exported.stdout.trimEnd().split('\n').at(-1)!) as { checkpoint: { seq: number; hash: string } };
  assert.equal(lastLine.checkpoint, JSON.parse(printed.stdout), 'the export ends with the node\'s checkpoint');
  const exportFile = join(work, 'export.ndjson');
  writeFileSync(exportFile, exported.stdout);

  // More events later: the shipped checkpoint lags the log, which is fine.
  node = await startNode(dir, url);
  try {
    await logins(node, 2);
  } finally {
    await node.stop();
  }
  const lagging = latchkey(dir, url, 'verify', '--checkpoint', shippedFile);
  assert.is(lagging.status, 0, lagging.stdout);
  assert.match(lagging.stdout, new RegExp(`${shippedFile} checkpoint ok: the log holds the signed head at seq ${shipped.seq} \\(\\d+ later events not yet checkpointed\\)`));

  // The log cut below the shipped head, and the node's own checkpoint deleted too: the copies kept elsewhere still tell.
  const cut = copyOf(url, cutAfter(shipped.seq - 3));
  const bare = nodeDir();
  copyFileSync(join(dir, 'signing-key.pem'), join(bare, 'signing-key.pem'));
  const missing = latchkey(bare, cut, 'verify');
  assert.is(missing.status, 1, missing.stdout);
  assert.match(missing.stdout, /checkpoint MISSING/);
  for (const file of [shippedFile, exportFile]) {
    const r = latchkey(bare, cut, 'verify', '--checkpoint', file);
    assert.is(r.status, 1, r.stdout);
    assert.match(r.stdout, new RegExp(`ends at seq ${shipped.seq - 3}, the signed checkpoint is at seq ${shipped.seq}; last good seq \\d+`));
  }
  unlinkSync(shippedFile);
});

test('two nodes, each with its own data dir and key: each one\'s checkpoint is verified against the merged chain', async () => {
  const url = await postgres.database('two');
  const dirs = [nodeDir(), nodeDir()];
  const nodes = await Promise.all(dirs.map((d) => startNode(d, url)));
  try {
    await Promise.all(nodes.map((n) => logins(n, 4)));
    await logins(nodes[0]!, 2);
    await logins(nodes[1]!, 2);
    await nodes[1]!.stop();
    // Node 1 goes on alone: node 2's checkpoint lags the merged chain from here.
    await logins(nodes[0]!, 2);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
  const head = lastSeq(url);
  const [first, second] = dirs.map(checkpointOf) as [ReturnType<typeof checkpointOf>, ReturnType<typeof checkpointOf>];
  assert.is(first.seq, head, 'the node that committed last signed the head');
  assert.ok(second.seq > 10 && second.seq < head, `node 2 at ${second.seq}, head ${head}`);
  assert.is.not(JSON.parse(readFileSync(join(dirs[0]!, checkpointFile), 'utf8')).kid, JSON.parse(readFileSync(join(dirs[1]!, checkpointFile), 'utf8')).kid, 'two keys');

  const one = latchkey(dirs[0]!, url, 'verify');
  assert.is(one.status, 0, one.stdout + one.stderr);
  assert.match(one.stdout, new RegExp(`checkpoint ok: the log holds the signed head at seq ${head}\\n`));
  const two = latchkey(dirs[1]!, url, 'verify');
  assert.is(two.status, 0, two.stdout + two.stderr);
  assert.match(two.stdout, new RegExp(`checkpoint ok: the log holds the signed head at seq ${second.seq} \\(${head - second.seq} later events not yet checkpointed\\)`));

  // Cut between the two heads: node 1's checkpoint sees it, node 2's (older) still holds; below both, both see it.
  const between = copyOf(url, cutAfter(second.seq));
  assert.is(latchkey(dirs[0]!, between, 'verify').status, 1);
  assert.match(latchkey(dirs[0]!, between, 'verify').stdout, new RegExp(`ends at seq ${second.seq}, the signed checkpoint is at seq ${head}`));
  assert.is(latchkey(dirs[1]!, between, 'verify').status, 0);
  const below = copyOf(url, cutAfter(second.seq - 2));
  for (const [dir, seq] of [[dirs[0]!, head], [dirs[1]!, second.seq]] as const) {
    const r = latchkey(dir, below, 'verify');
    assert.is(r.status, 1, r.stdout);
    assert.match(r.stdout, new RegExp(`ends at seq ${second.seq - 2}, the signed checkpoint is at seq ${seq}; last good seq \\d+`));
  }
  await refusesToStart(dirs[1]!, below, /TRUNCATED or ROLLED BACK/);
  // One node's checkpoint does not verify with the other's key.
  const crossed = latchkey(dirs[1]!, url, 'verify', '--checkpoint', join(dirs[0]!, checkpointFile));
  assert.is(crossed.status, 1, crossed.stdout);
  assert.match(crossed.stdout, /checkpoint INVALID: its signature does not verify/);
});

test.run();
