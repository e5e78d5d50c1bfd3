import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WhatIf, type WhatIfResult } from '../../../core/audit/what-if.js';
import type { StoredEvent } from '../../../core/event.js';
import type { Policy } from '../../../core/policy.js';
import { oathtool } from '../../helpers/oathtool.js';
import { engineInMemory, meta } from '../app/engine-in-memory.js';

/**
 * What-if over a log the real application service wrote (in-memory store, real crypto, a test clock): random but
 * seeded users hammering one-step and two-step logins, API keys and admin unlocks. Re-run under the very policy it
 * was recorded under, nothing differs: the re-run rules rebuild each attempt faithfully (issue 18).
 */
const t = suite('what-if over a log written by the application service');

/** mulberry32: a seeded generator, so a failure here replays. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
};

const password = 'correct horse battery staple';

const recordedLog = async (seed: number, policy: Partial<Policy>) => {
  const engine = await engineInMemory(policy);
  const { latchkey, clock } = engine;
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const secrets = new Map<string, string>();
  for (const name of ['alice', 'bob']) {
    await latchkey.registerUser({ username: name, password }, meta);
    const { secret } = await latchkey.enrolTotp(name, meta);
    assert.ok(await latchkey.confirmTotp(name, oathtool(secret, clock.now()), meta));
    secrets.set(name, secret);
  }
  await latchkey.registerUser({ username: 'carol', password, mfa: 'exempt' }, meta);
  const key = await latchkey.issueApiKey('carol', 'ci', meta);
  clock.advance(30_000);

  const code = (name: string, good: boolean): string => (good ? oathtool(secrets.get(name)!, clock.now()) : '000000');
  for (let i = 0; i < 160; i++) {
    clock.advance(Math.floor(rnd() * 40_000));
    const right = rnd() < 0.45;
    const action = rnd();
    if (action < 0.06) {
      await latchkey.unlockUser(pick(['alice', 'bob', 'carol']), meta);
    } else if (action < 0.3) {
      await latchkey.loginWithApiKey({ username: 'carol', apiKey: right ? key.key : `${key.key.slice(0, -2)}xx` }, meta);
    } else if (action < 0.4) {
      await latchkey.login({ username: 'carol', password: right ? password : 'wrong password', secondFactor: 'now' }, meta);
    } else {
      const name = pick(['alice', 'bob']);
      if (rnd() < 0.4) {
        // One step: a code right, wrong, missing or reused within its step (a replay).
        const otp = rnd() < 0.15 ? undefined : code(name, rnd() < 0.7);
        await latchkey.login({ username: name, password: right || rnd() < 0.5 ? password : 'wrong password', otp, secondFactor: 'now' }, meta);
      } else {
        const first = await latchkey.login({ username: name, password: right || rnd() < 0.3 ? password : 'wrong password', secondFactor: 'later' }, meta);
        if (first.kind !== 'mfa_required') continue;
        for (let tries = 0; tries < 3; tries++) {
          clock.advance(Math.floor(rnd() * 30_000));
          const second = await latchkey.continueLogin({ mfaToken: first.mfaToken, otp: code(name, rnd() < 0.5) }, meta);
          if (second.kind !== 'invalid_otp') break;
        }
      }
    }
  }
  return { events: await engine.store.read({ after: 0, limit: 100_000 }), policy: engine.deps.policy };
};

const whatIf = (events: readonly StoredEvent[], actual: Policy, alternative: Policy): WhatIfResult => {
  const w = new WhatIf({ actual, alternative });
  for (const e of events) w.push(e);
  return w.result();
};

const count = (events: readonly StoredEvent[], type: string, reason?: string): number =>
  events.filter((e) => e.type === type && (reason === undefined || (e.data as { reason?: string }).reason === reason)).length;

for (const seed of [1, 2, 3]) {
  t(`seed ${seed}: the recorded policy as the alternative changes nothing`, async () => {
    // A low threshold so the random clients do get locked out, refused and locked again.
    const { events, policy } = await recordedLog(seed, { lockout: { threshold: 3, windowMs: 10 * 60_000, baseLockMs: 60_000, maxLockMs: 600_000, hardLockAfter: 12 } });
    // The log has what the rules must rebuild: locks, refusals during them, both kinds of second step, key logins.
    assert.ok(count(events, 'AccountLocked') >= 2, 'locks');
    assert.ok(count(events, 'LoginRefused', 'locked') >= 2, 'refusals');
    assert.ok(count(events, 'ChallengeCompleted') >= 1 && count(events, 'ChallengeOtpRejected') >= 1, 'second steps');
    assert.ok(count(events, 'ApiKeyRejected') >= 1, 'api keys');
    const r = whatIf(events, policy, policy);
    assert.equal(r.accounts, []);
    assert.equal(r.summary.successesRefused, 0);
    assert.equal(r.summary.failuresPrevented, 0);
    assert.is(r.summary.accountsLocked, r.summary.accountsLockedActual);
    assert.ok(r.summary.accountsLocked >= 1);

    // Under the default policy (laxer: 5 in 12 h) nothing is refused that the record let in, and every success the
    // stricter record refused is unknown, so counted nowhere.
    const lax = whatIf(events, policy, { ...policy, lockout: { ...policy.lockout, threshold: 30, hardLockAfter: 100 } });
    assert.is(lax.summary.successesRefused, 0);
    assert.is(lax.summary.failuresPrevented, 0);
    assert.is(lax.summary.accountsLocked, 0);
  });
}

t.run();
