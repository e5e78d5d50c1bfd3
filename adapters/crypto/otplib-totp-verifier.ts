import type { TotpCheck, TotpVerifier } from '../../core/ports/totp-verifier.js';
import { verifyTotp } from '../../workers/verify-totp.js';

/**
 * TOTP checked in the calling thread: the port's in-memory adapter (docs/style.md §12), for the engine built in
 * memory by the tests. The server checks codes on the crypto pool's workers instead (pool-totp-verifier.ts).
 */
export class OtplibTotpVerifier implements TotpVerifier {
  async verify({ secret, params, code, now, window, after }: TotpCheck): Promise<number | null> {
    return verifyTotp({ secret, ...params, code, epochSeconds: Math.floor(now / 1000), window, after });
  }
}
