import type { Policy } from '../../core/policy.js';
import type { PasswordHasher } from '../../core/ports/password-hasher.js';
import type { CryptoPool } from './crypto-pool.js';

/**
 * argon2id through the pool. Unknown users verify against a dummy hash made at start with the policy's cost,
 * so they take the time of a wrong password (OWASP Authentication cheat sheet; ASVS v5 6.3.8).
 */
export class PoolPasswordHasher implements PasswordHasher {
  private readonly pool: CryptoPool;
  private readonly cost: Policy['argon2'];
  private readonly dummy: string;

  private constructor(pool: CryptoPool, cost: Policy['argon2'], dummy: string) {
    this.pool = pool;
    this.cost = cost;
    this.dummy = dummy;
  }

  static async create(pool: CryptoPool, cost: Policy['argon2']): Promise<PoolPasswordHasher> {
    const dummy = await pool.hash({ password: 'latchkey-dummy-password', ...cost });
    return new PoolPasswordHasher(pool, cost, dummy);
  }

  hash(password: string): Promise<string> {
    return this.pool.hash({ password, ...this.cost });
  }

  saturated(): boolean {
    const { argon2Queued, argon2MaxQueue } = this.pool.stats();
    return argon2Queued >= argon2MaxQueue;
  }

  async verify(phc: string | null, password: string): Promise<boolean> {
    const match = await this.pool.verify({ phc: phc ?? this.dummy, password });
    return phc !== null && match;
  }
}
