import { DomainError } from '../../core/errors.js';
import type { Policy } from '../../core/policy.js';
import type { Throttle, ThrottleScope } from '../../core/ports/throttle.js';
import { type Bucket, bucketIsFull, returnToken, takeToken } from '../../core/throttle/token-bucket.js';

/** The attempts of one key holding a token now, and those waiting for one of them to settle. */
interface Gate {
  held: number;
  readonly waiters: ((wait: number) => void)[];
}

/**
 * Deliberately in memory, not derived from the log: a throttle is a short-window rate, and losing it at a
 * restart costs at most one window, while the durable lockout (folded from the log) still bounds guessing per
 * account. Logging every refused attempt of a stuffing wave would also let the wave fill the disk.
 * Bounded: past `maxKeys` per scope, full buckets (which carry no information) are dropped first, then the oldest;
 * at most `maxWaiters` attempts of one key wait for a token (past it, 503 overloaded, as a full argon2 queue answers).
 */
export class InMemoryThrottle implements Throttle {
  private readonly policy: Policy['throttle'];
  private readonly maxKeys: number;
  private readonly maxWaiters: number;
  private readonly buckets: Record<ThrottleScope, Map<string, Bucket>> = { ip: new Map(), account: new Map() };
  private readonly gates: Record<ThrottleScope, Map<string, Gate>> = { ip: new Map(), account: new Map() };

  constructor(policy: Policy['throttle'], options: { readonly maxKeys?: number; readonly maxWaiters?: number } = {}) {
    this.policy = policy;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.maxWaiters = options.maxWaiters ?? 256;
  }

  take(scope: ThrottleScope, key: string, now: number): Promise<number> {
    const wait = this.tryTake(scope, key, now);
    if (wait === 0) return Promise.resolve(0);
    const gate = this.gates[scope].get(key);
    if (gate === undefined || gate.held === 0) return Promise.resolve(wait);
    if (gate.waiters.length >= this.maxWaiters) return Promise.reject(new DomainError('overloaded', 'the server is busy', 1));
    return new Promise((resolve) => gate.waiters.push(resolve));
  }

  refund(scope: ThrottleScope, key: string, now: number): Promise<void> {
    const gate = this.gates[scope].get(key);
    if (gate !== undefined) gate.held = Math.max(0, gate.held - 1);
    const map = this.buckets[scope];
    const policy = this.unheld(scope, key);
    const bucket = returnToken(map.get(key), now, policy);
    // A full bucket carries no information once nothing is held; while tokens are held it records what is not.
    if ((gate === undefined || gate.held === 0) && bucketIsFull(bucket, now, policy)) map.delete(key);
    else map.set(key, bucket);
    this.serveWaiters(scope, key, now);
    return Promise.resolve();
  }

  spend(scope: ThrottleScope, key: string, now: number): Promise<void> {
    const gate = this.gates[scope].get(key);
    if (gate !== undefined) gate.held = Math.max(0, gate.held - 1);
    this.serveWaiters(scope, key, now);
    return Promise.resolve();
  }

  /** 0 when a token was taken (and is now held), else the seconds until one will be. */
  private tryTake(scope: ThrottleScope, key: string, now: number): number {
    const map = this.buckets[scope];
    const result = takeToken(map.get(key), now, this.unheld(scope, key));
    if (!result.ok) return result.retryAfterSeconds;
    map.delete(key);
    map.set(key, result.bucket);
    if (map.size > this.maxKeys) this.prune(scope, now);
    const gates = this.gates[scope];
    const gate = gates.get(key) ?? { held: 0, waiters: [] };
    gate.held += 1;
    gates.set(key, gate);
    return 0;
  }

  /** One held token settled: the waiters, first come first served, take what is there; refused once none is held. */
  private serveWaiters(scope: ThrottleScope, key: string, now: number): void {
    const gates = this.gates[scope];
    const gate = gates.get(key);
    if (gate === undefined) return;
    while (gate.waiters.length > 0) {
      const wait = this.tryTake(scope, key, now);
      if (wait > 0 && gate.held > 0) break;
      gate.waiters.shift()!(wait);
    }
    if (gate.held === 0 && gate.waiters.length === 0) gates.delete(key);
  }

  private policyOf(scope: ThrottleScope) {
    return scope === 'ip' ? this.policy.perIp : this.policy.perAccount;
  }

  /**
   * The bucket's policy less the tokens held now: a held token is part of the budget, so the bucket refills only
   * up to what is not held. Otherwise a budget whose tokens stay held by correct logins refills behind them, and a
   * wave of failures then finds the full budget free plus every held token coming back (docs/security.md §21).
   */
  private unheld(scope: ThrottleScope, key: string) {
    const policy = this.policyOf(scope);
    const held = this.gates[scope].get(key)?.held ?? 0;
    return held === 0 ? policy : { capacity: Math.max(0, policy.capacity - held), perMinute: policy.perMinute };
  }

  private prune(scope: ThrottleScope, now: number): void {
    const map = this.buckets[scope];
    for (const [key, bucket] of map) if (!this.gates[scope].has(key) && bucketIsFull(bucket, now, this.policyOf(scope))) map.delete(key);
    for (const key of map.keys()) {
      if (map.size <= this.maxKeys) break;
      map.delete(key);
    }
  }
}
