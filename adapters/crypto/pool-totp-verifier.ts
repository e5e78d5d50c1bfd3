import type { TotpCheck, TotpVerifier } from '../../core/ports/totp-verifier.js';
import type { CryptoPool } from './crypto-pool.js';

/**
 * TOTP checked on the crypto pool's workers, past its hash queue (crypto-pool.ts, totp-lanes.ts): the event loop
 * only posts the check and reads the step. `now` in ms becomes whole seconds.
 */
export class PoolTotpVerifier implements TotpVerifier {
  private readonly pool: CryptoPool;

  constructor(pool: CryptoPool) {
    this.pool = pool;
  }

  verify({ secret, params, code, now, window, after }: TotpCheck): Promise<number | null> {
    return this.pool.verifyTotp({ secret, ...params, code, epochSeconds: Math.floor(now / 1000), window, after });
  }
}
