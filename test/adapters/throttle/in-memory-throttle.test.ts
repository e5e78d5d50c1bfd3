import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InMemoryThrottle } from '../../../adapters/throttle/in-memory-throttle.js';
import { isDomainError } from '../../../core/errors.js';

/** docs/security.md §21: an attempt holds a token while judged; correct logins wait for held tokens, failures keep them. */
const t = suite('in-memory throttle');

const t0 = 1_736_154_000_000;
const policy = { perIp: { capacity: 2, perMinute: 2 }, perAccount: { capacity: 2, perMinute: 2 } };

/** Whether the promise has settled after the pending microtasks ran, and with what. */
const peek = async <T>(p: Promise<T>): Promise<{ settled: boolean; value?: T }> => {
  let state: { settled: boolean; value?: T } = { settled: false };
  void p.then((value) => (state = { settled: true, value }));
  await new Promise((r) => setImmediate(r));
  return state;
};

t('the budget takes at once; the next attempt waits while tokens are held, and takes a refunded one', async () => {
  const th = new InMemoryThrottle(policy);
  assert.is(await th.take('ip', 'a', t0), 0);
  assert.is(await th.take('ip', 'a', t0), 0);
  const third = th.take('ip', 'a', t0);
  assert.equal(await peek(third), { settled: false }, 'waits: both tokens are held by attempts being judged');
  await th.refund('ip', 'a', t0);
  assert.equal(await peek(third), { settled: true, value: 0 }, 'a success gave its token to the waiter');
});

t('failures keep their tokens: waiters are refused with Retry-After once nothing is held', async () => {
  const th = new InMemoryThrottle(policy);
  await th.take('ip', 'a', t0);
  await th.take('ip', 'a', t0);
  const waiting = [th.take('ip', 'a', t0), th.take('ip', 'a', t0)];
  await th.spend('ip', 'a', t0);
  assert.equal(await peek(waiting[0]!), { settled: false }, 'one token is still held: it may come back');
  await th.spend('ip', 'a', t0);
  assert.equal(await Promise.all(waiting), [30, 30], 'both failed: the budget is spent, one token per 30 s');
  assert.is(await th.take('ip', 'a', t0 + 30_000 - 1), 1);
  assert.is(await th.take('ip', 'a', t0 + 30_000), 0, 'refilled on time');
});

t('keys and scopes are independent', async () => {
  const th = new InMemoryThrottle(policy);
  await th.take('ip', 'a', t0);
  await th.take('ip', 'a', t0);
  await th.spend('ip', 'a', t0);
  await th.spend('ip', 'a', t0);
  assert.is(await th.take('ip', 'a', t0), 30);
  assert.is(await th.take('ip', 'b', t0), 0);
  assert.is(await th.take('account', 'a', t0), 0);
});

t('past maxWaiters, an attempt is shed as overloaded rather than queued', async () => {
  const th = new InMemoryThrottle(policy, { maxWaiters: 1 });
  await th.take('ip', 'a', t0);
  await th.take('ip', 'a', t0);
  const waiter = th.take('ip', 'a', t0);
  const shed = await th.take('ip', 'a', t0).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(isDomainError(shed) && shed.code === 'overloaded', 'shed with overloaded');
  await th.refund('ip', 'a', t0);
  assert.is(await waiter, 0);
});

t('the budget does not refill behind held tokens: held and free together stay within it', async () => {
  const th = new InMemoryThrottle(policy);
  assert.is(await th.take('ip', 'a', t0), 0);
  assert.is(await th.take('ip', 'a', t0), 0);
  // A minute later both are still held (long correct logins): nothing has refilled beyond them.
  const third = th.take('ip', 'a', t0 + 60_000);
  assert.equal(await peek(third), { settled: false }, 'waits: the budget is all held');
  await th.refund('ip', 'a', t0 + 60_000);
  assert.is(await third, 0, 'the refunded token goes to the waiter');
  // Two failures now spend the whole budget: a wave finds nothing more.
  await th.spend('ip', 'a', t0 + 60_000);
  await th.spend('ip', 'a', t0 + 60_000);
  assert.is(await th.take('ip', 'a', t0 + 60_000), 30, 'spent: one token per 30 s');
});

t.run();
