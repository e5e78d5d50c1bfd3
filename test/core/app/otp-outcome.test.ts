import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AesGcmSecretBox } from '../../../adapters/crypto/aes-gcm-secret-box.js';
import { OtplibTotpVerifier } from '../../../adapters/crypto/otplib-totp-verifier.js';
import type { Account } from '../../../core/account/state.js';
import type { Deps } from '../../../core/app/kernel/deps.js';
import { otpOutcome } from '../../../core/app/kernel/otp-outcome.js';
import { base32 } from '../../../core/base32.js';
import { defaultPolicy } from '../../../core/policy.js';
import { readVectorFile } from '../../vectors/read-vector-file.js';

/**
 * The second factor's crypto half hands the account's last accepted step to the verifier. RFC 4226's seed gives
 * steps 59 061 240 and 59 061 241 one code, 963181 (checked with oathtool in test/workers/verify-totp.test.ts):
 * once the first is used, the same digits typed in the second step are that step's fresh code, not a replay.
 */
const t = suite('otpOutcome');

const box = new AesGcmSecretBox(randomBytes(32));
const deps = { policy: defaultPolicy, box, totp: new OtplibTotpVerifier() } as unknown as Deps;
const [first, second] = [59_061_240, 59_061_241];
const rfc4226Seed = base32(new TextEncoder().encode(readVectorFile<{ secret: string }>('rfc4226.json').secret));

const account = (lastTotpStep: number | null): Account => ({
  id: 'acc-1',
  username: 'alice',
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaA',
  roles: [],
  mfa: 'required',
  totp: { status: 'active', sealedSecret: box.seal(rfc4226Seed), algorithm: 'SHA1', digits: 6, period: 30 },
  recovery: [],
  failures: 0,
  recentFailures: [],
  lock: { status: 'open' },
  lastTotpStep,
  epoch: 0,
  credentials: 1,
  apiKeys: [],
  email: { address: null, verification: null, sends: [] },
});

t('a code two steps share matches the step after the last accepted one', async () => {
  const now = second * 30_000 + 5_000;
  assert.equal(await otpOutcome(deps, account(null), '963181', now), { kind: 'match', step: first });
  assert.equal(await otpOutcome(deps, account(first), '963181', now), { kind: 'match', step: second });
  assert.equal(await otpOutcome(deps, account(second), '963181', now), { kind: 'match', step: first }, 'both used: decide refuses it as a replay');
  assert.equal(await otpOutcome(deps, account(first), '963180', now), { kind: 'mismatch' });
});

t.run();
