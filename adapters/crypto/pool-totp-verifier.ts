import type { TotpCheck, TotpVerifier } from '../../core/ports/totp-verifier.js';
import type { CryptoPool } from './crypto-pool.js';

export class PoolTotpVerifier implements TotpVerifier {
  constructor(private readonly pool: CryptoPool) {}

  verify({ secret, params, code, now, window }: TotpCheck): Promise<number | null> {
    return this.pool.verifyTotp({ secret, ...params, code, epochSeconds: Math.floor(now / 1000), window });
  }
}
