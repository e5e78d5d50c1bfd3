import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AccountEvent } from '../../../core/account/events.js';
import type { ChallengeEvent } from '../../../core/challenge/events.js';
import { isDomainError } from '../../../core/errors.js';
import type { EventMeta } from '../../../core/event.js';
import type { AppendRequest, StreamWrite } from '../../../core/ports/event-store.js';
import { openPgPool } from '../../../adapters/postgres/open-pg-pool.js';
import { type PostgresEventStore, openPostgresEventStore } from '../../../adapters/postgres/postgres-event-store.js';
import { replayPostgresLog } from '../../../adapters/postgres/replay-postgres-log.js';
import { verifyPostgresLog } from '../../../adapters/postgres/verify-postgres-log.js';
import { startThrowawayPostgres } from '../../helpers/throwaway-postgres.js';

// Two stores on one database are two nodes' writers: each reads its batch's rows without a lock and has
// latchkey_append check them under the chain head's lock (adapters/postgres/postgres-event-writer.ts).
const postgres = await startThrowawayPostgres();
let databases = 0;
const meta: EventMeta = { requestId: 'req-writer', ip: '192.0.2.9', dialect: 'native', userAgent: 'writer-test' };
const phc = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA';
const registered = (accountId: string, username: string): AccountEvent => ({ type: 'AccountRegistered', data: { accountId, username, passwordHash: phc, roles: [], mfa: 'required' } });
const rejected = (failures: number): AccountEvent => ({ type: 'PasswordRejected', data: { failures } });
const account = (id: string, expectedVersion: StreamWrite['expectedVersion'], events: AccountEvent[]): StreamWrite => ({ kind: 'account', id, expectedVersion, events });
let commands = 0;
const request = (writes: StreamWrite[]): AppendRequest => ({ commandId: `writer-${++commands}`, writes, meta, at: 1_700_000_000_000 + commands });
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) => (isDomainError(err) ? err.code : `not a DomainError: ${String(err)}`),
  );

const twoNodes = async () => {
  const url = await postgres.database(`writer_${++databases}`);
  const a = await openPostgresEventStore(url);
  const b = await openPostgresEventStore(url);
  return { url, a, b, close: () => Promise.all([a.close(), b.close()]) };
};

/** seq 1..n without a gap, and every hash SHA-256(previous || the row) as `latchkey verify` recomputes it in JS. */
const assertOneChain = async (url: string, store: PostgresEventStore) => {
  const events = await store.read({ after: 0, limit: 1_000_000 });
  assert.equal(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
  );
  const pool = openPgPool(url, { max: 1 });
  try {
    const verified = await verifyPostgresLog(pool);
    assert.ok(verified.ok, `the chain verifies (first bad seq ${verified.firstBadSeq})`);
    assert.is(verified.events, events.length);
  } finally {
    await pool.end();
  }
};

const test = suite('PostgreSQL writer: two nodes on one log');

test('the same expected version at two nodes at once: exactly one append wins each round, the other is stream_moved', async () => {
  const { url, a, b, close } = await twoNodes();
  try {
    await a.append(request([account('acct', 0, [registered('acct', 'race-owner')])]));
    let version = 1;
    for (let round = 0; round < 30; round++) {
      const results = await Promise.all([a, b].map((store, i) => outcome(store.append(request([account('acct', version, [rejected(round * 2 + i)])])))));
      assert.equal(
        results.slice().sort(),
        ['ok', 'stream_moved'],
        `round ${round}`,
      );
      version += 1;
      assert.is((await b.load('account', 'acct')).version, version, `round ${round}: the winner's version is the row's`);
    }
    await assertOneChain(url, a);
  } finally {
    await close();
  }
});

test('many appends to one stream with "any" from both nodes at once: every one lands, in one gapless verified chain', async () => {
  const { url, a, b, close } = await twoNodes();
  try {
    await a.append(request([account('hot', 0, [registered('hot', 'hot-owner')])]));
    const appends = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).append(request([account('hot', 'any', [rejected(i)]), account(`cold-${i}`, 0, [registered(`cold-${i}`, `cold-user-${i}`)])])));
    const results = await Promise.all(appends.map(outcome));
    assert.equal(results, appends.map(() => 'ok'));
    assert.is((await a.load('account', 'hot')).version, 201);
    const versions = (await a.read({ after: 0, limit: 10_000, stream: 'account-hot' })).map((e) => e.version);
    assert.equal(
      versions,
      versions.map((_, i) => i + 1),
    );
    await assertOneChain(url, b);
  } finally {
    await close();
  }
});

test('look-alike names registered at two nodes at once: exactly one is claimed (docs/security.md §36)', async () => {
  const { url, a, b, close } = await twoNodes();
  try {
    // Latin / Cyrillic pairs with one UTS #39 skeleton.
    for (const [i, [first, second]] of [['paypal', 'раураl'], ['scope', 'ѕсоре'], ['apex', 'арех']].entries()) {
      const results = await Promise.all([outcome(a.append(request([account(`x${i}`, 0, [registered(`x${i}`, first!)])]))), outcome(b.append(request([account(`y${i}`, 0, [registered(`y${i}`, second!)])])))]);
      assert.equal(results.slice().sort(), ['ok', 'username_lookalike'], `${first} / ${second}`);
      const owners = [await a.accountIdByUsername(first!), await a.accountIdByUsername(second!)].filter((o) => o !== null);
      assert.is(owners.length, 1);
    }
    await assertOneChain(url, a);
  } finally {
    await close();
  }
});

test('one name registered at two nodes at once: one account owns it, the other is username_taken', async () => {
  const { a, b, close } = await twoNodes();
  try {
    for (let i = 0; i < 10; i++) {
      const results = await Promise.all([a, b].map((store, n) => outcome(store.append(request([account(`n${i}-${n}`, 0, [registered(`n${i}-${n}`, `same-name-${i}`)])])))));
      assert.equal(results.slice().sort(), ['ok', 'username_taken'], `name ${i}`);
    }
  } finally {
    await close();
  }
});

test('a row this node loaded, then moved by the other node: the fold from the stale read is refused and done again', async () => {
  const { url, a, b, close } = await twoNodes();
  const pool = openPgPool(url, { max: 1 });
  try {
    await a.append(request([account('stale', 0, [registered('stale', 'stale-owner')])]));
    // a's load is what its writer folds onto first; b's commit moves the row in between.
    assert.is((await a.load('account', 'stale')).version, 1);
    assert.is(await outcome(b.append(request([account('stale', 1, [rejected(1)])]))), 'ok');
    assert.is(await outcome(a.append(request([account('stale', 1, [rejected(2)])]))), 'stream_moved', 'the version a read is gone');
    assert.is((await a.load('account', 'stale')).version, 2);
    assert.is(await outcome(b.append(request([account('stale', 2, [rejected(3)])]))), 'ok');
    // 'any' folds onto whatever is there: a's stale row (version 2) must not be what its append extends.
    assert.is(await outcome(a.append(request([account('stale', 'any', [rejected(4)])]))), 'ok');
    const loaded = await b.load('account', 'stale');
    assert.is(loaded.version, 4);
    const replayed = await replayPostgresLog(pool);
    assert.ok(replayed.equal, `every projection is the fold of the log: ${replayed.differences.join('; ')}`);
    await assertOneChain(url, a);
  } finally {
    await pool.end();
    await close();
  }
});

test('one command appended again at a node, folded from its loaded rows: one set of events, every answer alike', async () => {
  const { url, a, b, close } = await twoNodes();
  try {
    await a.append(request([account('twice', 0, [registered('twice', 'twice-owner')])]));
    await a.load('account', 'twice');
    // 'any' on the loaded row, and a stream the command expects new (no load needed).
    const issued: ChallengeEvent = { type: 'ChallengeIssued', data: { challengeId: 'twice-ch', accountId: 'twice', tokenHash: '00'.repeat(32), expiresAt: 1_800_000_000_000, epoch: 0, methods: ['totp'], dialect: 'native' } };
    const again = request([account('twice', 'any', [rejected(1)]), { kind: 'challenge', id: 'twice-ch', expectedVersion: 0, events: [issued] }]);
    const first = await a.append(again);
    // Loaded again, the row is where this command left it: the repeat folds onto it and clashes with its own ids.
    await a.load('account', 'twice');
    const repeated = await Promise.all([a.append(again), b.append(again)]);
    for (const events of repeated) assert.equal(events, first);
    assert.is((await a.read({ after: 0, limit: 100 })).length, 1 + first.length);
    assert.is((await a.load('account', 'twice')).version, 2);
    await assertOneChain(url, b);
  } finally {
    await close();
  }
});

test('latchkey_append refuses a batch whose read row moved, or whose new name has a look-alike, and writes nothing', async () => {
  const { url, a, close } = await twoNodes();
  const pool = openPgPool(url, { max: 1 });
  try {
    await a.append(request([account('moved', 0, [registered('moved', 'paypal')])]));
    const events = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n);
    const before = await events();
    // One event for account-fresh, as the writer would send it, with the rows read at `read` and the names claimed.
    const call = (read: [string, number][], names: [string, string][]) =>
      pool
        .query(
          `SELECT * FROM latchkey_append(ARRAY['c:0'], ARRAY['account-fresh'], ARRAY[1], ARRAY['AccountRegistered'], ARRAY[1], ARRAY['{}'], ARRAY['{}'], ARRAY[1]::bigint[], ARRAY['\\x00'::bytea],
            $1, $2, ARRAY['account-fresh'], ARRAY['account'], ARRAY[1], ARRAY['{}'], $3, $5, $4)`,
          [read.map(([s]) => s), read.map(([, v]) => v), names.map(([n]) => n), names.map(([, k]) => k), names.map(() => 'fresh')],
        )
        .then(
          () => 'written',
          (err: { code?: string }) => err.code,
        );
    assert.is(await call([['account-fresh', 0], ['account-moved', 0]], []), 'LKSTL', 'account-moved is at version 1, not 0');
    assert.is(await call([['account-fresh', 0]], [['pаypal', 'paypal']]), 'LKSTL', 'a claimed skeleton');
    assert.is(await events(), before);
    assert.is(await call([['account-fresh', 0], ['account-moved', 1]], []), 'written', 'the same batch with what is there now');
    assert.is(await events(), before + 1);
  } finally {
    await pool.end();
    await close();
  }
});

test.after(() => postgres.destroy());
test.run();
