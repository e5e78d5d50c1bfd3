import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type CryptoPool, createCryptoPool, hashesPerWorker } from '../../../adapters/crypto/crypto-pool.js';
import { PoolTotpVerifier } from '../../../adapters/crypto/pool-totp-verifier.js';
import { base32 } from '../../../core/base32.js';
import { isDomainError } from '../../../core/errors.js';
import type { TotpAlgorithm } from '../../../core/policy.js';
import { oathtool } from '../../helpers/oathtool.js';
import { readVectorFile } from '../../vectors/read-vector-file.js';

interface Rfc6238 {
  readonly seeds: Record<TotpAlgorithm, string>;
  readonly vectors: readonly { readonly title: string; readonly time: number; readonly step: number; readonly algorithm: TotpAlgorithm; readonly totp: string }[];
}

/**
 * The server's TOTP path: codes checked on the crypto pool's workers over their lanes (adapters/crypto/totp-lanes.ts),
 * never queued behind hashes (docs/design.md "Crypto off the event loop").
 */
const t = suite<{ pool: CryptoPool; verifier: PoolTotpVerifier }>('PoolTotpVerifier');
t.before((ctx) => {
  ctx.pool = createCryptoPool({ threads: 2, maxQueue: 4 });
  ctx.verifier = new PoolTotpVerifier(ctx.pool);
});
t.after(async ({ pool }) => {
  await pool.close();
});

const rfc6238 = readVectorFile<Rfc6238>('rfc6238.json');
const ascii = (s: string): string => base32(new TextEncoder().encode(s));
const k = 57_871_800;
const secret = ascii('latchkey pool totp key 0123456789'.slice(0, 20));
const params = { algorithm: 'SHA1', digits: 6, period: 30 } as const;

for (const v of rfc6238.vectors) {
  t(`${v.title}: through the pool, step ${v.step} at its time (window 0 and 1), none a step past the window`, async ({ verifier }) => {
    const check = (now: number, window: number) =>
      verifier.verify({ secret: ascii(rfc6238.seeds[v.algorithm]), params: { algorithm: v.algorithm, digits: 8, period: 30 }, code: v.totp, now, window, after: null });
    assert.is(await check(v.time * 1000, 0), v.step);
    assert.is(await check(v.time * 1000, 1), v.step);
    assert.is(await check((v.step + 2) * 30_000, 1), null);
  });
}

t('every worker answers on a lane of its own, from a thread other than the event loop', async ({ pool, verifier }) => {
  const code = oathtool(secret, k * 30_000);
  const steps = await Promise.all(Array.from({ length: 20 }, () => verifier.verify({ secret, params, code, now: k * 30_000, window: 0, after: null })));
  assert.equal(steps, Array.from({ length: 20 }, () => k));
  assert.is(pool.stats().totpLanes, 2);
});

// RFC 4226's seed gives steps 59 061 240 and 59 061 241 one code, 963181 (verify-totp.test.ts checks it against oathtool).
t('the last accepted step crosses to the worker: a code two steps share is the later step once the earlier is used', async ({ verifier }) => {
  const rfcSeed = ascii(readVectorFile<{ secret: string }>('rfc4226.json').secret);
  const at = (after: number | null) => verifier.verify({ secret: rfcSeed, params, code: '963181', now: 59_061_241 * 30_000, window: 1, after });
  assert.is(await at(null), 59_061_240);
  assert.is(await at(59_061_240), 59_061_241);
  assert.is(await at(59_061_241), 59_061_240, 'both used: a replay, reported as the first step');
});

t('a seed otplib cannot read fails the check without the seed in the error', async ({ verifier }) => {
  const bad = 'NOT*BASE32*SEED*0000';
  const err = await verifier.verify({ secret: bad, params, code: '123456', now: k * 30_000, window: 1, after: null }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.instance(err, Error);
  assert.not.ok(String((err as Error).message).includes(bad));
  assert.not.ok(String((err as Error).stack).includes(bad));
});

/**
 * With the argon2 queue full, a code is checked before the queued hashes finish. Counted, not timed: a check queued
 * in piscina like a hash would start only once the hashes ahead of it had started, that is after `maxQueue` of
 * them had finished on the one worker.
 */
t('an OTP check completes while the argon2 queue is full, before the queued hashes finish', async () => {
  const maxQueue = 6;
  const pool = createCryptoPool({ threads: 1, maxQueue });
  try {
    const verifier = new PoolTotpVerifier(pool);
    const code = oathtool(secret, k * 30_000);
    assert.is(await verifier.verify({ secret, params, code, now: k * 30_000, window: 0, after: null }), k, 'the lane is open');
    let finished = 0;
    const cost = { memoryKiB: 65_536, iterations: 3, parallelism: 1 };
    const hashes = Array.from({ length: hashesPerWorker + maxQueue }, (_, i) =>
      pool.hash({ password: `queued-${i}`, ...cost }).then(() => {
        finished++;
      }),
    );
    assert.is(pool.stats().argon2Queued, maxQueue, 'the queue is full');
    const shed = await pool.hash({ password: 'one too many', ...cost }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isDomainError(shed) && shed.code === 'overloaded', 'a further hash is shed');
    const answered = await Promise.all(
      Array.from({ length: 5 }, () => verifier.verify({ secret, params, code, now: k * 30_000, window: 0, after: null }).then((step) => ({ step, finished, queued: pool.stats().argon2Queued }))),
    );
    for (const a of answered) {
      assert.is(a.step, k);
      assert.ok(a.finished < maxQueue, `answered after ${a.finished} hashes had finished`);
      assert.ok(a.queued > 0, `answered with ${a.queued} hashes still queued`);
    }
    await Promise.all(hashes);
    assert.is(finished, hashesPerWorker + maxQueue);
  } finally {
    await pool.close();
  }
});

t.run();
