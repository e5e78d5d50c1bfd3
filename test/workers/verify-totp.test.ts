import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type TotpVerification, verifyTotp } from '../../workers/verify-totp.js';
import { base32 } from '../../core/base32.js';
import type { TotpAlgorithm } from '../../core/policy.js';
import { oathtool } from '../helpers/oathtool.js';
import { readVectorFile } from '../vectors/read-vector-file.js';

interface Rfc6238 {
  readonly period: number;
  readonly digits: 8;
  readonly seeds: Record<TotpAlgorithm, string>;
  readonly vectors: readonly { readonly title: string; readonly time: number; readonly step: number; readonly algorithm: TotpAlgorithm; readonly totp: string }[];
}
interface Rfc4226 {
  readonly secret: string;
  readonly digits: 6;
  readonly vectors: readonly { readonly title: string; readonly counter: number; readonly hotp: string }[];
}

const t = suite('verifyTotp (otplib)');
const rfc6238 = readVectorFile<Rfc6238>('rfc6238.json');
const rfc4226 = readVectorFile<Rfc4226>('rfc4226.json');
const ascii = (s: string): string => base32(new TextEncoder().encode(s));

const totp = (v: Rfc6238['vectors'][number], epochSeconds: number, window: number): number | null =>
  verifyTotp({ secret: ascii(rfc6238.seeds[v.algorithm]), algorithm: v.algorithm, digits: 8, period: 30, code: v.totp, epochSeconds, window });

t('the RFC 6238 vector file holds 18 vectors: 6 times × 3 algorithms, seeds of 20/32/64 bytes', () => {
  assert.is(rfc6238.vectors.length, 18);
  assert.equal(new Set(rfc6238.vectors.map((v) => `${v.time}/${v.algorithm}`)).size, 18);
  assert.equal([rfc6238.seeds.SHA1.length, rfc6238.seeds.SHA256.length, rfc6238.seeds.SHA512.length], [20, 32, 64]);
});

for (const v of rfc6238.vectors) {
  t(`${v.title}: verifies at its time and returns step ${v.step}`, () => {
    assert.is(v.step, Math.floor(v.time / 30));
    assert.is(totp(v, v.time, 1), v.step);
    assert.is(totp(v, v.time, 0), v.step);
  });
}

// RFC 6238 §5.2 / docs/security.md §4: ±1 step accepted, ±2 rejected; the step starts at 30k and ends at 30k+29.
for (const v of rfc6238.vectors.filter((x) => x.time > 60)) {
  const k = v.step;
  t(`${v.title}: window ±1 accepts T−1 and T+1, rejects T−2 and T+2`, () => {
    assert.is(totp(v, 30 * (k - 1), 1), k, 'verifier one step behind');
    assert.is(totp(v, 30 * (k + 1) + 29, 1), k, 'verifier one step ahead');
    assert.is(totp(v, 30 * (k - 1) - 1, 1), null, 'two steps behind');
    assert.is(totp(v, 30 * (k + 2), 1), null, 'two steps ahead');
  });
  t(`${v.title}: step edges 30k−1, 30k, 30k+29, 30k+30 with no window`, () => {
    assert.is(totp(v, 30 * k - 1, 0), null);
    assert.is(totp(v, 30 * k, 0), k);
    assert.is(totp(v, 30 * k + 29, 0), k);
    assert.is(totp(v, 30 * k + 30, 0), null);
  });
}

t('a code of the right length but wrong digits is refused', () => {
  const v = rfc6238.vectors[0]!;
  const wrong = v.totp.replace(/^./, (d) => String((Number(d) + 1) % 10));
  assert.is(verifyTotp({ secret: ascii(rfc6238.seeds.SHA1), algorithm: 'SHA1', digits: 8, period: 30, code: wrong, epochSeconds: v.time, window: 1 }), null);
});

t('a SHA1 code does not verify as SHA256 with the same seed', () => {
  const v = rfc6238.vectors.find((x) => x.algorithm === 'SHA1')!;
  assert.is(verifyTotp({ secret: ascii(rfc6238.seeds.SHA1), algorithm: 'SHA256', digits: 8, period: 30, code: v.totp, epochSeconds: v.time, window: 1 }), null);
});

// TOTP is HOTP over the time step (RFC 6238 §4.2): RFC 4226 counter C is the step of any time in [30C, 30C+29].
for (const v of rfc4226.vectors) {
  t(`${v.title}: verifies as TOTP at epoch ${v.counter * 30} s and at the end of that step`, () => {
    const task = (epochSeconds: number): TotpVerification => ({ secret: ascii(rfc4226.secret), algorithm: 'SHA1', digits: 6, period: 30, code: v.hotp, epochSeconds, window: 0 });
    assert.is(verifyTotp(task(v.counter * 30)), v.counter);
    assert.is(verifyTotp(task(v.counter * 30 + 29)), v.counter);
    assert.is(verifyTotp(task(v.counter * 30 + 30)), null);
  });
}

// Codes from oathtool, an independent client: several times, algorithms and lengths.
const cases: readonly { algorithm: TotpAlgorithm; digits: 6 | 8; keyBytes: number }[] = [
  { algorithm: 'SHA1', digits: 6, keyBytes: 20 },
  { algorithm: 'SHA1', digits: 8, keyBytes: 20 },
  { algorithm: 'SHA256', digits: 6, keyBytes: 32 },
  { algorithm: 'SHA256', digits: 8, keyBytes: 32 },
  { algorithm: 'SHA512', digits: 8, keyBytes: 64 },
];
const times = [59, 1_111_111_109, 1_700_000_000, 1_736_154_015, 2_000_000_000];
for (const c of cases) {
  t(`oathtool --totp${c.algorithm === 'SHA1' ? '' : `=${c.algorithm}`} -d ${c.digits}: codes at ${times.length} times verify at their step, not two steps later`, () => {
    // A fixed key keeps the outcome deterministic: a random one could, once in ~10^5 runs, collide two steps apart.
    const secret = ascii('latchkey interop key '.repeat(4).slice(0, c.keyBytes));
    for (const s of times) {
      const code = oathtool(secret, s * 1000, { algorithm: c.algorithm, digits: c.digits });
      const task = (epochSeconds: number): TotpVerification => ({ secret, algorithm: c.algorithm, digits: c.digits, period: 30, code, epochSeconds, window: 1 });
      assert.is(code.length, c.digits);
      assert.is(verifyTotp(task(s)), Math.floor(s / 30), `at ${s}`);
      assert.is(verifyTotp(task(s + 60)), null, `two steps after ${s}`);
    }
  });
}

// RFC 6238 §5.2 with two steps of one code. RFC 4226's seed (SHA1, 6 digits) gives steps 59 061 240 and 59 061 241
// the same code, 963181 (found by a search over 6·10^6 steps; about one pair in 10^6 collides). otplib reports the
// first step that matches, so without `after` a fresh code for the later step came back as the used earlier step and
// was refused as a replay.
const sharedSteps = [59_061_240, 59_061_241] as const;
const rfc4226Seed = (): string => ascii(rfc4226.secret);
const shared = (epochSeconds: number, after: number | null | undefined): number | null =>
  verifyTotp({ secret: rfc4226Seed(), algorithm: 'SHA1', digits: 6, period: 30, code: '963181', epochSeconds, window: 1, after });

t('oathtool gives steps 59 061 240 and 59 061 241 of the RFC 4226 seed one code, and its neighbours others', () => {
  const codes = [-1, 0, 1, 2].map((d) => oathtool(rfc4226Seed(), (sharedSteps[0] + d) * 30_000));
  assert.equal(codes.slice(1, 3), ['963181', '963181']);
  assert.not.ok(codes.includes('963181', 3) || codes[0] === '963181');
});

t('a code two steps share: the step after the last accepted one is returned, from either step of the window', () => {
  for (const now of [sharedSteps[0] * 30, sharedSteps[1] * 30 + 29]) {
    assert.is(shared(now, undefined), sharedSteps[0], `no last step, at ${now}`);
    assert.is(shared(now, null), sharedSteps[0], `null last step, at ${now}`);
    assert.is(shared(now, sharedSteps[0] - 5), sharedSteps[0], `last step long before, at ${now}`);
    assert.is(shared(now, sharedSteps[0]), sharedSteps[1], `earlier step used, at ${now}`);
  }
});

t('a code whose steps are all used still matches, for the caller to refuse as a replay', () => {
  assert.is(shared(sharedSteps[1] * 30, sharedSteps[1]), sharedSteps[0]);
  // A last step past the whole window (a clock set back) is not an error: the window is searched as usual.
  assert.is(shared(sharedSteps[1] * 30, sharedSteps[1] + 10), sharedSteps[0]);
  assert.is(shared(sharedSteps[1] * 30, sharedSteps[1] + 1), sharedSteps[0], 'last step at the end of the window');
});

t('a wrong code stays wrong whatever the last step', () => {
  for (const after of [null, sharedSteps[0] - 1, sharedSteps[0], sharedSteps[1]]) {
    assert.is(verifyTotp({ secret: rfc4226Seed(), algorithm: 'SHA1', digits: 6, period: 30, code: '963182', epochSeconds: sharedSteps[1] * 30, window: 1, after }), null);
  }
});

t.run();
