import type { BenchClient } from './http-client.js';
import { type UserRing, benchPassword } from './bench-users.js';
import { percentile } from './stats.js';

export interface LoadResult {
  readonly concurrency: number;
  readonly logins: number;
  readonly loginsPerSecond: number;
  readonly failures: number;
  /** Password steps answered 503 (the argon2 queue was full); the client then waited its Retry-After. */
  readonly shed: number;
  /** Password steps answered 429 (the address's failure budget); the client then waited its Retry-After. */
  readonly throttled: number;
  readonly passwordStepMs: { p50: number; p95: number; p99: number };
  readonly otpStepMs: { p50: number; p95: number; p99: number };
}

const dist = (xs: number[]) => ({ p50: percentile(xs, 50), p95: percentile(xs, 95), p99: percentile(xs, 99) });

/** A closed loop of `concurrency` clients each doing complete two-step logins for `seconds`. */
export const loginLoad = async (client: BenchClient, ring: UserRing, concurrency: number, seconds: number): Promise<LoadResult> => {
  const passwordMs: number[] = [];
  const otpMs: number[] = [];
  let logins = 0;
  let failures = 0;
  let shed = 0;
  let throttled = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const { user, code } = ring.next();
      const first = await client.call('POST', '/v1/login', { username: user.username, password: benchPassword });
      passwordMs.push(first.ms);
      if (first.status !== 200 || first.body?.status !== 'mfa_required') {
        ring.release(user, code);
        if (first.status === 503 || first.status === 429) {
          // A well-behaved client honours Retry-After (capped): it does not hammer a server that is shedding load.
          if (first.status === 503) shed++;
          else throttled++;
          await new Promise((r) => setTimeout(r, Math.min(1000, 1000 * Number(first.retryAfter ?? 1))));
        } else failures++;
        continue;
      }
      const second = await client.call('POST', '/v1/login/mfa', { mfa_token: first.body.mfa_token, otp: code });
      otpMs.push(second.ms);
      if (second.status === 200 && second.body?.access_token) logins++;
      else failures++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return { concurrency, logins, loginsPerSecond: logins / elapsed, failures, shed, throttled, passwordStepMs: dist(passwordMs), otpStepMs: dist(otpMs) };
};
