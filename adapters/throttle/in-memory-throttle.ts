import type { Policy } from '../../core/policy.js';
import type { Throttle, ThrottleScope } from '../../core/ports/throttle.js';
import { type Bucket, bucketIsFull, returnToken, takeToken } from '../../core/throttle/token-bucket.js';

/**
 * Deliberately in memory, not derived from the log: a throttle is a short-window rate, and losing it at a
 * restart costs at most one window, while the durable lockout (folded from the log) still bounds guessing per
 * account. Logging every refused attempt of a stuffing wave would also let the wave fill the disk.
 * Bounded: past `maxKeys` per scope, full buckets (which carry no information) are dropped first, then the oldest.
 */
export class InMemoryThrottle implements Throttle {
  private readonly policy: Policy['throttle'];
  private readonly maxKeys: number;
  private readonly buckets: Record<ThrottleScope, Map<string, Bucket>> = { ip: new Map(), account: new Map() };

  constructor(policy: Policy['throttle'], maxKeys = 100_000) {
    this.policy = policy;
    this.maxKeys = maxKeys;
  }

  take(scope: ThrottleScope, key: string, now: number): number {
    const map = this.buckets[scope];
    const result = takeToken(map.get(key), now, this.policyOf(scope));
    if (!result.ok) return result.retryAfterSeconds;
    map.delete(key);
    map.set(key, result.bucket);
    if (map.size > this.maxKeys) this.prune(scope, now);
    return 0;
  }

  refund(scope: ThrottleScope, key: string, now: number): void {
    const map = this.buckets[scope];
    const bucket = returnToken(map.get(key), now, this.policyOf(scope));
    if (bucketIsFull(bucket, now, this.policyOf(scope))) map.delete(key);
    else map.set(key, bucket);
  }

  private policyOf(scope: ThrottleScope) {
    return scope === 'ip' ? this.policy.perIp : this.policy.perAccount;
  }

  private prune(scope: ThrottleScope, now: number): void {
    const map = this.buckets[scope];
    for (const [key, bucket] of map) if (bucketIsFull(bucket, now, this.policyOf(scope))) map.delete(key);
    for (const key of map.keys()) {
      if (map.size <= this.maxKeys) break;
      map.delete(key);
    }
  }
}
