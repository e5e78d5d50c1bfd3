import { performance } from 'node:perf_hooks';
import * as assert from 'uvu/assert';
import { serverSuite } from '../helpers/server-suite.js';
import { createUser } from '../helpers/test-server.js';
import { accountStream, streamEvents } from './helpers/audit-events.js';
import { assertInvalidCredentials, login } from './helpers/native-api.js';
import { assertNoLeak } from './helpers/secret-leaks.js';
import { median } from './helpers/timing-stats.js';

/**
 * OWASP Authentication cheat sheet, ASVS v5 6.3.8, docs/security.md §24: an unknown user costs the same as a known user
 * with a wrong password (core/app/login.ts verifies a dummy argon2id hash of the policy's cost). Measured end to end
 * over HTTP, alternating the two kinds so that load from elsewhere on the machine falls on both alike.
 */
const t = serverSuite('security: timing');

/** Mann–Whitney U of `a` against `b`, with the normal approximation's z (tie-corrected) and two-sided p. */
const mannWhitney = (a: readonly number[], b: readonly number[]): { u: number; z: number; p: number } => {
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[k] = rank;
    const ties = j - i + 1;
    tieTerm += ties ** 3 - ties;
    i = j + 1;
  }
  const n1 = a.length;
  const n2 = b.length;
  const r1 = all.reduce((sum, x, i) => (x.g === 0 ? sum + ranks[i]! : sum), 0);
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = sigma === 0 ? 0 : (u - (n1 * n2) / 2) / sigma;
  return { u, z, p: 2 * (1 - normalCdf(Math.abs(z))) };
};

/** Φ(x) by the Abramowitz–Stegun 7.1.26 erf approximation (|error| < 1.5e-7). */
const normalCdf = (x: number): number => {
  const t1 = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const poly = t1 * (0.254829592 + t1 * (-0.284496736 + t1 * (1.421413741 + t1 * (-1.453152027 + t1 * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
};

t('24. unknown user vs known user with a wrong password: medians within 10 % over 200 alternating requests', async ({ s }) => {
  const known = await createUser(s);
  const unknown = `ghost-${known.username}`;
  const wrong = `${known.password}-wrong`;
  const time = async (username: string): Promise<number> => {
    const started = performance.now();
    const r = await login(s, { username, password: wrong });
    const ms = performance.now() - started;
    assertInvalidCredentials(r, username === unknown ? 'unknown user' : 'wrong password');
    return ms;
  };
  // Warm-up (JIT, connections, SQLite pages), not measured.
  for (let i = 0; i < 6; i++) await time(i % 2 ? unknown : known.username);
  const unknownMs: number[] = [];
  const knownMs: number[] = [];
  for (let i = 0; i < 200; i++) {
    if (i % 2 === 0) unknownMs.push(await time(unknown));
    else knownMs.push(await time(known.username));
  }
  const mu = median(unknownMs);
  const mk = median(knownMs);
  const diff = Math.abs(mu - mk) / Math.min(mu, mk);
  const { u, z, p } = mannWhitney(unknownMs, knownMs);
  console.log(
    `\n    24: median unknown user ${mu.toFixed(2)} ms, known user + wrong password ${mk.toFixed(2)} ms (difference ${(diff * 100).toFixed(1)} %);` +
      ` Mann–Whitney U = ${u.toFixed(1)}, z = ${z.toFixed(2)}, two-sided p = ${p.toFixed(3)} (n = ${unknownMs.length} + ${knownMs.length})`,
  );
  assert.ok(diff <= 0.1, `medians differ by ${(diff * 100).toFixed(1)} % (> 10 %)`);
  // Both kinds did the work they claim: the known account recorded its attempts (counted, then refused while locked).
  const recorded = (await streamEvents(s, accountStream(known))).filter((e) => e.type === 'PasswordRejected' || e.type === 'LoginRefused');
  assert.is(recorded.length, 103);
  await assertNoLeak(s, { secrets: [known.password, wrong, unknown] });
});

t.run();
