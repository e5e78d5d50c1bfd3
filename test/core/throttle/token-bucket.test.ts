import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type Bucket, type BucketPolicy, bucketIsFull, returnToken, takeToken } from '../../../core/throttle/token-bucket.js';

/** RFC 4226 §7.3 / NIST SP 800-63B §5.2.2: a failure budget, refilled over time; every edge at ±1 ms. */
const t = suite('token bucket');

const p: BucketPolicy = { capacity: 3, perMinute: 3 }; // one token per 20 s
const t0 = 1_736_154_000_000;

const drain = (now: number): Bucket => {
  let b: Bucket | undefined;
  for (let i = 0; i < p.capacity; i++) {
    const r = takeToken(b, now, p);
    assert.ok(r.ok, `take ${i + 1} of ${p.capacity}`);
    if (r.ok) b = r.bucket;
  }
  return b!;
};

t('a new key starts full: capacity takes at once, then refused with a Retry-After of one refill', () => {
  const empty = drain(t0);
  assert.equal(empty, { tokens: 0, at: t0 });
  assert.equal(takeToken(empty, t0, p), { ok: false, retryAfterSeconds: 20 });
});

t('one refill period: refused 1 ms before, granted at it and 1 ms after', () => {
  const empty = drain(t0);
  const early = takeToken(empty, t0 + 20_000 - 1, p);
  assert.equal(early, { ok: false, retryAfterSeconds: 1 });
  const onTime = takeToken(empty, t0 + 20_000, p);
  assert.ok(onTime.ok);
  if (onTime.ok) assert.equal(onTime.bucket, { tokens: 0, at: t0 + 20_000 });
  assert.ok(takeToken(empty, t0 + 20_001, p).ok);
});

t('Retry-After is never below 1 s and rounds up', () => {
  const empty = drain(t0);
  const r = takeToken(empty, t0 + 10_000, p);
  assert.equal(r, { ok: false, retryAfterSeconds: 10 });
  assert.equal(takeToken({ tokens: 0.9999999, at: t0 }, t0, p), { ok: false, retryAfterSeconds: 1 });
});

t('refill is capped at capacity', () => {
  const r = takeToken({ tokens: 0, at: t0 }, t0 + 3_600_000, p);
  assert.ok(r.ok);
  if (r.ok) assert.is(r.bucket.tokens, p.capacity - 1);
});

t('a clock that steps back refills nothing', () => {
  assert.equal(takeToken({ tokens: 0.5, at: t0 }, t0 - 60_000, p), { ok: false, retryAfterSeconds: 10 });
});

t('returnToken refunds one, capped at capacity', () => {
  assert.equal(returnToken({ tokens: 0, at: t0 }, t0, p), { tokens: 1, at: t0 });
  assert.equal(returnToken({ tokens: 3, at: t0 }, t0, p), { tokens: 3, at: t0 });
  assert.equal(returnToken(undefined, t0, p), { tokens: 3, at: t0 });
});

t('bucketIsFull: a drained bucket is full one minute later, not 1 ms before', () => {
  const empty = drain(t0);
  assert.not.ok(bucketIsFull(empty, t0 + 60_000 - 1, p));
  assert.ok(bucketIsFull(empty, t0 + 60_000, p));
  assert.ok(bucketIsFull(empty, t0 + 60_001, p));
});

t.run();
