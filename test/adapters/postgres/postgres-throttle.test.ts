import { type AddressInfo, createServer } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openPgPool } from '../../../adapters/postgres/open-pg-pool.js';
import { migratePostgres } from '../../../adapters/postgres/migrate-postgres.js';
import { PostgresThrottle } from '../../../adapters/postgres/postgres-throttle.js';
import { isDomainError } from '../../../core/errors.js';
import { startThrowawayPostgres } from '../../helpers/throwaway-postgres.js';

/** docs/security.md §21 for a cluster: two throttles on one database (two nodes) hold one budget, with its semantics. */
const t = suite('PostgreSQL throttle');
const postgres = await startThrowawayPostgres();
const pool = openPgPool(postgres.url, { synchronousCommit: 'off' });
await migratePostgres(pool);

const t0 = 1_736_154_000_000;
const policy = { perIp: { capacity: 2, perMinute: 2 }, perAccount: { capacity: 2, perMinute: 2 } };
let nodeA = new PostgresThrottle(pool, policy);
let nodeB = new PostgresThrottle(pool, policy);
let keys = 0;
// Two fresh nodes a test: a throttle keeps the latest time it was given, and each test starts again at t0.
t.before.each(() => {
  nodeA = new PostgresThrottle(pool, policy);
  nodeB = new PostgresThrottle(pool, policy);
});

/** Whether `p` settled within `ms` (only ever asserted false where settling would be the bug). */
const settledWithin = async (p: Promise<unknown>, ms: number): Promise<boolean> => {
  let settled = false;
  void p.then(() => (settled = true));
  await new Promise((r) => setTimeout(r, ms));
  return settled;
};

t.after(async () => {
  await pool.end();
  postgres.destroy();
});

t('two nodes share one budget: the third attempt waits while the other node holds a token, and takes it refunded', async () => {
  const key = `k${++keys}`;
  assert.is(await nodeA.take('ip', key, t0), 0);
  assert.is(await nodeB.take('ip', key, t0), 0);
  const third = nodeA.take('ip', key, t0);
  assert.not.ok(await settledWithin(third, 300), 'waits: both tokens are held, one of them by the other node');
  await nodeB.refund('ip', key, t0);
  assert.is(await third, 0, "the other node's success gave its token to the waiter");
});

t('failures on either node keep their tokens: the waiter is refused with Retry-After; the refill is on time', async () => {
  const key = `k${++keys}`;
  await nodeA.take('ip', key, t0);
  await nodeA.take('ip', key, t0);
  const waiting = nodeB.take('ip', key, t0);
  await nodeA.spend('ip', key, t0);
  assert.not.ok(await settledWithin(waiting, 300), 'one token is still held: it may come back');
  await nodeA.spend('ip', key, t0);
  assert.is(await waiting, 30, 'both failed: the budget is spent, one token per 30 s');
  assert.is(await nodeB.take('ip', key, t0 + 30_000 - 1), 1);
  assert.is(await nodeA.take('ip', key, t0 + 30_000), 0, 'refilled on time');
});

t('a refunded, full bucket is forgotten: the table holds only what carries information', async () => {
  const key = `k${++keys}`;
  await nodeA.take('account', key, t0);
  await nodeB.refund('account', key, t0);
  const rows = await pool.query('SELECT count(*)::int AS n FROM throttle_buckets WHERE key = $1', [key]);
  assert.is(rows.rows[0].n, 0);
});

/** A pool that counts the statements sent through it (the throttle's cost is one statement a change). */
const countingPool = () => {
  const sent: string[] = [];
  const counted = new Proxy(pool, {
    get: (target, name) =>
      name === 'query'
        ? (config: { text: string }, ...rest: unknown[]) => {
            sent.push(config.text.trim().split(/\s/)[0]!);
            return (target.query as (...a: unknown[]) => unknown)(config, ...rest);
          }
        : Reflect.get(target, name, target),
  });
  return { pool: counted, sent };
};

t('a successful attempt costs two statements: a key this node knows nothing of is inserted first, not read', async () => {
  const key = `k${++keys}`;
  const { pool: counted, sent } = countingPool();
  const node = new PostgresThrottle(counted, policy);
  for (let i = 0; i < 3; i++) {
    assert.is(await node.take('account', key, t0 + i), 0);
    await node.refund('account', key, t0 + i);
  }
  assert.equal(sent, ['INSERT', 'DELETE', 'INSERT', 'DELETE', 'INSERT', 'DELETE']);
});

t('changes to two keys at one moment go as one statement; a compare-and-set lost in it reads again, the other stands', async () => {
  const [ip, user] = [`k${++keys}`, `k${++keys}`];
  const { pool: counted, sent } = countingPool();
  const node = new PostgresThrottle(counted, policy);
  assert.is(await node.take('ip', ip, t0), 0);
  assert.is(await node.take('account', user, t0), 0);
  // Another node takes the address's second token: this node's copy of that row is now stale.
  assert.is(await nodeB.take('ip', ip, t0), 0);
  sent.length = 0;
  await Promise.all([node.spend('ip', ip, t0), node.refund('account', user, t0)]);
  assert.equal(sent, ['WITH', 'SELECT', 'UPDATE'], 'one statement for both; the lost one read and written again');
  const rows = await pool.query<{ key: string; tokens: number; held: number }>('SELECT key, tokens, held FROM throttle_buckets WHERE key = ANY($1) ORDER BY key', [[ip, user]]);
  assert.equal(
    rows.rows.map((r) => [r.key, r.tokens, r.held]),
    [[ip, 0, 1]],
    "the address: both tokens gone, the other node's still held; the account: full again, forgotten",
  );
});

t('a bucket this node deleted and another node made again: the insert clashes, the row is read, its held token counts', async () => {
  const key = `k${++keys}`;
  await nodeA.take('ip', key, t0);
  await nodeA.refund('ip', key, t0);
  assert.is(await nodeB.take('ip', key, t0), 0);
  assert.is(await nodeB.take('ip', key, t0), 0);
  const third = nodeA.take('ip', key, t0);
  assert.not.ok(await settledWithin(third, 300), "waits: both tokens are held by the other node, whatever this node's memory says");
  await nodeB.spend('ip', key, t0);
  await nodeB.spend('ip', key, t0);
  assert.is(await third, 30);
});

t('a token held by a node that died stops counting when its lease ends', async () => {
  const key = `k${++keys}`;
  await nodeA.take('ip', key, t0);
  await nodeA.take('ip', key, t0);
  await nodeA.spend('ip', key, t0);
  // The second token is never settled (its node died): after the 30 s lease the budget no longer waits for it.
  assert.is(await nodeB.take('ip', key, t0 + 30_000), 0, 'refilled one token by then');
  await nodeB.spend('ip', key, t0 + 30_000);
  assert.is(await nodeB.take('ip', key, t0 + 30_000), 30, "the dead node's token no longer held: refused, not kept waiting");
});

t('a throttle that cannot reach the database fails closed', async () => {
  const lost = openPgPool(`postgres://latchkey@127.0.0.1:1/latchkey`);
  try {
    const err = await new PostgresThrottle(lost, policy).take('ip', 'x', t0).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isDomainError(err) && err.code === 'unavailable');
  } finally {
    await lost.end();
  }
});

t('a database that stops answering: the attempts queued on one key all fail closed after one connection timeout, not one after another', async () => {
  // A TCP peer that accepts and never answers: each connection attempt waits for the pool's 3 s timeout.
  const silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const lost = openPgPool(`postgres://latchkey@127.0.0.1:${(silent.address() as AddressInfo).port}/latchkey`, { max: 8 });
  try {
    const throttle = new PostgresThrottle(lost, policy);
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () =>
        throttle.take('ip', 'hot', t0).then(
          () => null,
          (e: unknown) => e,
        ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    assert.ok(outcomes.every((e) => isDomainError(e) && e.code === 'unavailable'), 'every one refused as unavailable (503)');
    // One after another would be 6 × 3 s; together they end with the first (a wide bound for a loaded machine).
    assert.ok(seconds < 9, `all refused within ${seconds.toFixed(1)} s`);
  } finally {
    await lost.end();
    silent.close();
  }
});

t.run();
