import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OtplibTotpVerifier } from '../../../adapters/crypto/otplib-totp-verifier.js';
import { base32 } from '../../../core/base32.js';
import { oathtool } from '../../helpers/oathtool.js';
import { readVectorFile } from '../../vectors/read-vector-file.js';

/** The TotpVerifier port: `now` in ms becomes whole seconds, so a step ends at 30 000·(k+1) − 1 ms. */
const t = suite('OtplibTotpVerifier');

const secret = base32(new TextEncoder().encode('latchkey pool totp key 0123456789'.slice(0, 20)));
const params = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
const k = 57_871_800;

t('an oathtool code of step k: accepted from 30 000·k ms to 30 000·(k+1) − 1 ms, not 1 ms either side (window 0)', async () => {
  const verifier = new OtplibTotpVerifier();
  const code = oathtool(secret, k * 30_000);
  const at = (now: number) => verifier.verify({ secret, params, code, now, window: 0, after: null });
  assert.is(await at(k * 30_000 - 1), null);
  assert.is(await at(k * 30_000), k);
  assert.is(await at((k + 1) * 30_000 - 1), k);
  assert.is(await at((k + 1) * 30_000), null);
});

t('window 1 accepts the steps either side of now and no further', async () => {
  const verifier = new OtplibTotpVerifier();
  const code = oathtool(secret, k * 30_000);
  const at = (now: number) => verifier.verify({ secret, params, code, now, window: 1, after: null });
  assert.is(await at((k - 1) * 30_000), k);
  assert.is(await at((k + 2) * 30_000 - 1), k);
  assert.is(await at((k - 1) * 30_000 - 1), null);
  assert.is(await at((k + 2) * 30_000), null);
});

// RFC 4226's seed gives steps 59 061 240 and 59 061 241 (2026-02-23 09:00 UTC) one code, 963181: checked against
// oathtool in verify-totp.test.ts. The port hands the account's last accepted step on to the check.
t('the last accepted step reaches the check: a code two steps share is the later step once the earlier is used', async () => {
  const verifier = new OtplibTotpVerifier();
  const rfcSeed = base32(new TextEncoder().encode(readVectorFile<{ secret: string }>('rfc4226.json').secret));
  const at = (after: number | null) => verifier.verify({ secret: rfcSeed, params, code: '963181', now: 59_061_241 * 30_000, window: 1, after });
  assert.is(await at(null), 59_061_240);
  assert.is(await at(59_061_240), 59_061_241);
  assert.is(await at(59_061_241), 59_061_240, 'both used: a replay, reported as the first step');
});

t.run();
