import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type CryptoPool, createCryptoPool, hashesPerWorker } from '../../../adapters/crypto/crypto-pool.js';
import { PoolPasswordHasher } from '../../../adapters/crypto/pool-password-hasher.js';
import { isDomainError } from '../../../core/errors.js';
import { parsePhc } from '../../../core/phc.js';
import { defaultPolicy } from '../../../core/policy.js';

/** argon2id through the pool: one worker, a queue of one, so a burst is shed at once (docs/design.md "Crypto off the event loop"). */
const t = suite<{ pool: CryptoPool; hasher: PoolPasswordHasher }>('PoolPasswordHasher');
const cost = defaultPolicy.argon2;
const password = randomBytes(18).toString('base64url');

t.before(async (ctx) => {
  ctx.pool = createCryptoPool({ threads: 1, maxQueue: 1 });
  ctx.hasher = await PoolPasswordHasher.create(ctx.pool, cost);
});
t.after(async ({ pool }) => {
  await pool.close();
});

t('hash → argon2id PHC at the policy cost; verify: right password true, wrong false', async ({ hasher }) => {
  const phc = await hasher.hash(password);
  assert.equal(parsePhc(phc), { algorithm: 'argon2id', ...cost });
  assert.is(await hasher.verify(phc, password), true);
  assert.is(await hasher.verify(phc, `${password}x`), false);
});

t('verify(null, …) is false, even for the dummy hash’s own password', async ({ hasher }) => {
  assert.is(await hasher.verify(null, password), false);
  assert.is(await hasher.verify(null, 'latchkey-dummy-password'), false);
});

t('saturated() says whether a verify now would be shed: false when idle, true while the one worker’s slots and the one queue slot are taken', async ({ hasher }) => {
  const phc = await hasher.hash(password);
  assert.is(hasher.saturated(), false);
  const running = Array.from({ length: hashesPerWorker }, () => hasher.verify(phc, password));
  assert.is(hasher.saturated(), false, 'the worker takes more than one hash');
  const queued = hasher.verify(phc, password);
  assert.is(hasher.saturated(), true);
  await Promise.all([...running, queued]);
  assert.is(hasher.saturated(), false);
});

t('a full queue rejects at once with DomainError overloaded (Retry-After 1 s); the rest complete', async ({ hasher, pool }) => {
  const phc = await hasher.hash(password);
  const results = await Promise.allSettled(Array.from({ length: 5 }, () => hasher.verify(phc, password)));
  const shed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  const done = results.filter((r): r is PromiseFulfilledResult<boolean> => r.status === 'fulfilled');
  assert.ok(shed.length >= 1, 'some verifies were shed');
  assert.ok(done.length >= 1, 'the admitted ones ran');
  for (const r of shed) {
    assert.ok(isDomainError(r.reason), String(r.reason));
    if (isDomainError(r.reason)) {
      assert.is(r.reason.code, 'overloaded');
      assert.is(r.reason.retryAfterSeconds, 1);
    }
  }
  for (const r of done) assert.is(r.value, true);
  assert.is(pool.stats().argon2MaxQueue, 1);
  // Once the burst is over the pool takes work again.
  assert.is(await hasher.verify(phc, password), true);
});

t.run();
