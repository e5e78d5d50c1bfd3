import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type RealLog, latchkey, makeRealLog } from '../cli/audit-cli-fixture.js';
import { startThrowawayPostgres } from '../../helpers/throwaway-postgres.js';

/*
 * `latchkey audit …` and `latchkey replay [--apply]` against LATCHKEY_DATABASE_URL (docs/design.md "PostgreSQL"):
 * the log a real server wrote (the CLI fixture) moved into a throwaway PostgreSQL with `latchkey import-sqlite`, then
 * every audit question asked of both stores, and the answers compared line for line.
 */
const cli = new URL('../../../adapters/cli/main.js', import.meta.url).pathname;
const test = suite<{ log: RealLog }>('latchkey audit and replay on PostgreSQL (CLI)');
const postgres = await startThrowawayPostgres();
const psql = (url: string, sql: string): string => execFileSync('psql', [url, '-qAtc', sql], { encoding: 'utf8' });
let databases = 0;

/** `latchkey …` on the PostgreSQL log, the fixture's data dir beside it for the server's secret (unknown-user names). */
const onPostgres = (url: string, dataDir: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', LATCHKEY_DATA_DIR: dataDir, LATCHKEY_DATABASE_URL: url }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** A database of its own holding the fixture's log, imported as an operator does. */
const imported = async (log: RealLog): Promise<string> => {
  const url = await postgres.database(`audit${++databases}`);
  const r = onPostgres(url, log.dataDir, 'import-sqlite', `${log.dataDir}/latchkey.db`);
  assert.is(r.status, 0, r.stderr);
  return url;
};

test.before(async (ctx) => {
  ctx.log = await makeRealLog();
});
test.after(({ log }) => {
  rmSync(log.dataDir, { recursive: true, force: true });
  postgres.destroy();
});

test('every audit question answers on PostgreSQL what it answers on the SQLite file it came from', async ({ log }) => {
  const url = await imported(log);
  const questions = [
    ['history', 'alice'],
    ['history', 'ALICE', '--json'],
    ['history', ' Ghost', '--json'],
    ['history', 'nobody-here'],
    ['failures', '--by', 'ip'],
    ['failures', '--by', 'account', '--json'],
    ['locks'],
    ['locks', '--json'],
    ['what-if', '--lockout-threshold', '2', '--json'],
    ['what-if', '--lockout-threshold', '9'],
    ['export', '--format', 'csv'],
  ];
  for (const q of questions) {
    const sqlite = latchkey(log.dataDir, 'audit', ...q);
    const pg = onPostgres(url, log.dataDir, 'audit', ...q);
    assert.is(sqlite.status, 0, sqlite.stderr);
    assert.is(pg.status, 0, `${q.join(' ')}: ${pg.stderr}`);
    assert.ok(pg.stdout.split('\n').length > 2, `${q.join(' ')}: an answer beyond the chain line`);
    assert.fixture(pg.stdout, sqlite.stdout, q.join(' '));
  }
  // The NDJSON export: the same events, then the same signed checkpoint (the data dir's: the imported chain is the file's).
  const sqliteExport = latchkey(log.dataDir, 'audit', 'export').stdout.split('\n');
  assert.match(sqliteExport.at(-2)!, /^\{"checkpoint":\{"version":1,"seq":\d+,/);
  const pgExport = onPostgres(url, log.dataDir, 'audit', 'export');
  assert.is(pgExport.status, 0, pgExport.stderr);
  assert.match(pgExport.stderr, /^hash chain: ok \(\d+ events verified\)$/m);
  assert.ok(sqliteExport.length > 20);
  assert.equal(pgExport.stdout.split('\n'), sqliteExport);
  const history = onPostgres(url, log.dataDir, 'audit', 'history', 'alice').stdout;
  for (const secret of [...log.secrets, ...log.codes.map((c) => ` ${c} `)]) assert.not.ok(history.includes(secret), 'no secret in an answer');
});

test('a row altered in PostgreSQL: every answer says the chain is broken, and --require-verified refuses to answer', async ({ log }) => {
  const url = await imported(log);
  const seq = Number(psql(url, "SELECT min(seq) FROM events WHERE type = 'PasswordRejected'").trim());
  psql(url, `ALTER TABLE events DISABLE TRIGGER events_refuse_update_delete; UPDATE events SET data = '{"failures":0}' WHERE seq = ${seq}; ALTER TABLE events ENABLE TRIGGER events_refuse_update_delete`);
  const broken = onPostgres(url, log.dataDir, 'audit', 'locks');
  assert.is(broken.status, 0, broken.stderr);
  assert.is(broken.stdout.split('\n')[0], `hash chain: BROKEN at seq ${seq} (${seq - 1} events before it verified): the log was altered, the answer below may not be what happened`);
  const refused = onPostgres(url, log.dataDir, 'audit', 'history', 'alice', '--require-verified');
  assert.is(refused.status, 1);
  assert.match(refused.stderr, new RegExp(`refused \\(--require-verified\\): the hash chain is broken at seq ${seq}`));
  assert.is(refused.stdout.split('\n').length, 2, 'the chain line alone');
});

test('replay --apply on PostgreSQL: a projection row changed or removed behind the log is rebuilt from it', async ({ log }) => {
  const url = await imported(log);
  const bob = psql(url, "SELECT stream || '|' || version || '|' || state FROM projections WHERE stream = (SELECT 'account-' || account_id FROM usernames WHERE username = 'bob')").trim();
  const [bobStream] = bob.split('|');
  const session = psql(url, "SELECT stream FROM projections WHERE kind = 'session' LIMIT 1").trim();
  assert.is(onPostgres(url, log.dataDir, 'replay').status, 0, 'equal before');
  psql(url, `UPDATE projections SET state = replace(state, '"status":"registered"', '"status":"deleted"') WHERE stream = '${bobStream}'; DELETE FROM projections WHERE stream = '${session}'; DELETE FROM usernames WHERE username = 'alice'`);
  const different = onPostgres(url, log.dataDir, 'replay');
  assert.is(different.status, 1);
  assert.match(different.stdout, /projections: DIFFERENT from the live tables/);
  assert.match(different.stdout, new RegExp(`${bobStream}: state differs`));
  assert.match(different.stdout, new RegExp(`${session}: missing from the live projections`));
  assert.match(different.stdout, /username "alice" → .* only in the rebuilt table/);
  const applied = onPostgres(url, log.dataDir, 'replay', '--apply');
  assert.is(applied.status, 1, 'it reports what it found, then applies');
  const after = onPostgres(url, log.dataDir, 'replay');
  assert.is(after.status, 0, after.stdout);
  assert.match(after.stdout, /projections: equal to the live tables/);
  assert.is(psql(url, `SELECT stream || '|' || version || '|' || state FROM projections WHERE stream = '${bobStream}'`).trim(), bob, 'the row as the server wrote it');
  assert.is(psql(url, `SELECT count(*) FROM projections WHERE stream = '${session}'`).trim(), '1');
  assert.is(psql(url, "SELECT count(*) FROM username_skeletons WHERE username = 'alice'").trim(), '1');
  assert.is(onPostgres(url, log.dataDir, 'verify').status, 0, 'the log itself untouched');
});

test('replay on PostgreSQL judges as on the SQLite file: a row an older version stored is equal once upcast, an edited one is not', async ({ log }) => {
  const url = await imported(log);
  // Rows as versions before `apiKeyId` (sessions) and `apiKeys` (accounts) stored them, rewritten by jsonb besides
  // (its own key order and spacing): the store reads both as today's rows, so replay must too.
  const session = psql(url, `SELECT stream FROM projections WHERE kind = 'session' AND state::jsonb->'apiKeyId' = 'null'::jsonb ORDER BY stream LIMIT 1`).trim();
  const account = psql(url, "SELECT 'account-' || account_id FROM usernames WHERE username = 'alice'").trim();
  assert.ok(session.startsWith('session-') && account.startsWith('account-'), `${session} ${account}`);
  assert.is(psql(url, `SELECT state::jsonb->'account'->'apiKeys' FROM projections WHERE stream = '${account}'`).trim(), '[]');
  psql(url, `UPDATE projections SET state = (state::jsonb - 'apiKeyId')::text WHERE stream = '${session}'; UPDATE projections SET state = (state::jsonb #- '{account,apiKeys}')::text WHERE stream = '${account}'`);
  assert.not.match(psql(url, `SELECT state FROM projections WHERE stream = '${session}'`), 'apiKeyId', 'the old shape is stored');
  const upcast = onPostgres(url, log.dataDir, 'replay');
  assert.is(upcast.status, 0, upcast.stdout);
  assert.match(upcast.stdout, /projections: equal to the live tables/);

  // An old-shaped row that says something else is still a difference: the upcast does not excuse an edit.
  psql(url, `UPDATE projections SET state = jsonb_set(state::jsonb, '{account,failures}', '7')::text WHERE stream = '${account}'; UPDATE projections SET state = '{not json' WHERE stream = '${session}'`);
  const edited = onPostgres(url, log.dataDir, 'replay');
  assert.is(edited.status, 1, edited.stdout);
  assert.match(edited.stdout, `${account}: state differs`);
  assert.match(edited.stdout, `${session}: state differs`);
  assert.is(edited.stdout.split('\n').filter((l) => l.startsWith('  ')).length, 2, edited.stdout);
});

test('replay on PostgreSQL checks the username skeletons (docs/security.md §36): a wrong, missing or extra row is reported, and --apply restores them', async ({ log }) => {
  const url = await imported(log);
  const skeletons = () => psql(url, "SELECT username || '|' || skeleton FROM username_skeletons ORDER BY username");
  const before = skeletons();
  assert.ok(before.includes('alice|') && before.includes('bob|'), before);
  psql(url, "UPDATE username_skeletons SET skeleton = 'forged' WHERE username = 'bob'; DELETE FROM username_skeletons WHERE username = 'alice'; INSERT INTO username_skeletons VALUES ('mallory', 'mallory')");
  const different = onPostgres(url, log.dataDir, 'replay');
  assert.is(different.status, 1, different.stdout);
  assert.match(different.stdout, /projections: DIFFERENT from the live tables/);
  assert.match(different.stdout, 'username "bob": its skeleton differs from the live table\'s');
  assert.match(different.stdout, 'username "alice": no skeleton in the live table');
  assert.match(different.stdout, 'username "mallory": its skeleton is in the live table only');
  assert.is(different.stdout.split('\n').filter((l) => l.startsWith('  ')).length, 3, different.stdout);

  const applied = onPostgres(url, log.dataDir, 'replay', '--apply');
  assert.is(applied.status, 1, 'it reports what it found, then applies');
  assert.is(skeletons(), before);
  const after = onPostgres(url, log.dataDir, 'replay');
  assert.is(after.status, 0, after.stdout);
});

test.run();
