import type { TotpCheck, TotpVerifier } from '../../core/ports/totp-verifier.js';
import { verifyTotp } from './verify-totp.js';

/**
 * TOTP checked in the calling thread (docs/design.md "Crypto off the event loop": a code check must never wait behind
 * argon2). otplib verifies a code at ±1 step in ~70 µs; the worker lane this replaced cost more than that around
 * each check (a message each way, a wakeup, ~0.3 ms of its thread's CPU per login under load), on a machine where
 * every millisecond outside argon2 is taken from argon2. Hashes stay in the pool: they take tens of milliseconds.
 */
export class OtplibTotpVerifier implements TotpVerifier {
  async verify({ secret, params, code, now, window, after }: TotpCheck): Promise<number | null> {
    return verifyTotp({ secret, ...params, code, epochSeconds: Math.floor(now / 1000), window, after });
  }
}
