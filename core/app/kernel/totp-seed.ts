import type { TotpParams } from '../../account/events.js';
import { base32 } from '../../base32.js';
import type { Policy } from '../../policy.js';
import type { Deps } from './deps.js';

/** RFC 4226 §4 R6 / RFC 6238 §5.1: a 160-bit seed from the CSPRNG, base32 as authenticator apps take it. */
export const newTotpSeed = (deps: Deps): string => base32(deps.random.bytes(20));

/** The parameters new TOTP factors get, as an account stores them. */
export const totpParams = (policy: Policy): TotpParams => ({ algorithm: policy.totp.algorithm, digits: policy.totp.digits, period: policy.totp.periodSeconds });
