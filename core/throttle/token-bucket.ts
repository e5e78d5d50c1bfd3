/**
 * A token bucket (RFC 4226 §7.3 asks for throttling; NIST SP 800-63B §5.2.2 for rate limiting): `capacity`
 * attempts at once, refilled at `perMinute`. Pure: the caller keeps the state and passes the time.
 */
export interface Bucket {
  readonly tokens: number;
  readonly at: number;
}

export interface BucketPolicy {
  readonly capacity: number;
  readonly perMinute: number;
}

const refill = (b: Bucket, now: number, p: BucketPolicy): number =>
  Math.min(p.capacity, b.tokens + (Math.max(0, now - b.at) * p.perMinute) / 60_000);

export type Take = { readonly ok: true; readonly bucket: Bucket } | { readonly ok: false; readonly retryAfterSeconds: number };

export const takeToken = (bucket: Bucket | undefined, now: number, p: BucketPolicy): Take => {
  const tokens = bucket === undefined ? p.capacity : refill(bucket, now, p);
  if (tokens >= 1) return { ok: true, bucket: { tokens: tokens - 1, at: now } };
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((1 - tokens) * 60_000) / p.perMinute / 1000)) };
};

export const returnToken = (bucket: Bucket | undefined, now: number, p: BucketPolicy): Bucket => ({
  tokens: Math.min(p.capacity, (bucket === undefined ? p.capacity : refill(bucket, now, p)) + 1),
  at: now,
});

/** A bucket that has refilled completely carries no information and may be forgotten. */
export const bucketIsFull = (bucket: Bucket, now: number, p: BucketPolicy): boolean => refill(bucket, now, p) >= p.capacity;
