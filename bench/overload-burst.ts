import { type UserRing, benchPassword } from './bench-users.js';
import { BenchClient } from './http-client.js';
import type { ServerProcess } from './server-process.js';
import { percentile } from './stats.js';

export interface BurstResult {
  readonly offeredPerSecond: number;
  readonly requests: number;
  readonly shed: number;
  readonly shedWithoutRetryAfter: number;
  readonly other5xx: number;
  /** 429s: the per-client throttle answered before the pool could shed. */
  readonly throttled: number;
  readonly admitted: number;
  readonly shedP99Ms: number;
  readonly otpStepP99Ms: number;
  readonly sessionP99Ms: number;
  readonly cheapCalls: number;
  readonly peakRssMiB: number;
}

/**
 * An open-loop burst of password steps at `multiple` × capacity for `seconds`, while a probe keeps doing the
 * cheap calls (OTP step with tokens obtained before the burst, GET /v1/session) and measures their latency.
 */
export const overloadBurst = async (server: ServerProcess, ring: UserRing, capacityPerSecond: number, multiple: number, seconds: number): Promise<BurstResult> => {
  const probe = new BenchClient(server.url, 8);
  const pending: { token: string; user: ReturnType<UserRing['next']>['user'] }[] = [];
  let sessionToken = '';
  const { user: first, code } = ring.next();
  const login = await probe.call('POST', '/v1/login', { username: first.username, password: benchPassword });
  sessionToken = (await probe.call('POST', '/v1/login/mfa', { mfa_token: login.body.mfa_token, otp: code })).body.access_token;
  for (let i = 0; i < 40; i++) {
    const { user } = ring.peek();
    const step = await probe.call('POST', '/v1/login', { username: user.username, password: benchPassword });
    pending.push({ token: step.body.mfa_token, user });
  }

  const burst = new BenchClient(server.url, 2048);
  const rate = capacityPerSecond * multiple;
  const shedMs: number[] = [];
  const otpMs: number[] = [];
  const sessionMs: number[] = [];
  let requests = 0;
  let shed = 0;
  let shedWithoutRetryAfter = 0;
  let other5xx = 0;
  let throttled = 0;
  let admitted = 0;
  let peakRss = server.rssMiB();
  const inflight: Promise<void>[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;

  const probing = (async () => {
    while (performance.now() < deadline) {
      const p = pending.shift();
      if (p) {
        const code = ring.codeFor(p.user);
        if (code) otpMs.push((await probe.call('POST', '/v1/login/mfa', { mfa_token: p.token, otp: code })).ms);
      }
      sessionMs.push((await probe.call('GET', '/v1/session', undefined, sessionToken)).ms);
      peakRss = Math.max(peakRss, server.rssMiB());
      await new Promise((r) => setTimeout(r, 25));
    }
  })();

  while (performance.now() < deadline) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; requests < due; requests++) {
      const { user } = ring.peek();
      inflight.push(
        burst.call('POST', '/v1/login', { username: user.username, password: benchPassword }).then(
          (a) => {
            if (a.status === 503) {
              shed++;
              shedMs.push(a.ms);
              if (a.retryAfter === undefined) shedWithoutRetryAfter++;
            } else if (a.status >= 500) other5xx++;
            else if (a.status === 429) throttled++;
            else if (a.status === 200) admitted++;
          },
          () => {
            other5xx++;
          },
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await probing;
  await Promise.all(inflight);
  burst.close();
  probe.close();
  return {
    offeredPerSecond: rate,
    requests,
    shed,
    shedWithoutRetryAfter,
    other5xx,
    throttled,
    admitted,
    shedP99Ms: percentile(shedMs, 99),
    otpStepP99Ms: percentile(otpMs, 99),
    sessionP99Ms: percentile(sessionMs, 99),
    cheapCalls: otpMs.length + sessionMs.length,
    peakRssMiB: Math.max(peakRss, server.peakRssMiB()),
  };
};
