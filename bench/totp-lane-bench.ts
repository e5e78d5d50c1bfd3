import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createCryptoPool } from '../adapters/crypto/crypto-pool.js';
import { OtplibTotpVerifier } from '../adapters/crypto/otplib-totp-verifier.js';
import { PoolPasswordHasher } from '../adapters/crypto/pool-password-hasher.js';
import { PoolTotpVerifier } from '../adapters/crypto/pool-totp-verifier.js';
import { base32 } from '../core/base32.js';
import { defaultPolicy } from '../core/policy.js';
import type { TotpVerifier } from '../core/ports/totp-verifier.js';
import { median, percentile, round } from './stats.js';

export interface TotpLaneRun {
  readonly path: 'pool' | 'loop';
  readonly checks: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU of this process's main thread (the event loop) per check, in µs, from /proc (10 ms ticks, over the run). */
  readonly loopCpuUsPerCheck: number;
  /** argon2 verifies/s completed meanwhile, and the queue at the end (full: the checks ran past it). */
  readonly hashesPerSecond: number;
  readonly queuedAtEnd: number;
}

export interface TotpLaneFigures {
  readonly runs: readonly TotpLaneRun[];
  readonly pool: { readonly p50Ms: number; readonly p99Ms: number; readonly loopCpuUsPerCheck: number; readonly hashesPerSecond: number };
  readonly loop: { readonly p50Ms: number; readonly p99Ms: number; readonly loopCpuUsPerCheck: number; readonly hashesPerSecond: number };
}

const mainThreadCpuMs = (): number => {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

/**
 * TOTP checks while argon2 is saturated and its queue full, in this process: through the pool's worker lanes (the
 * server's path, adapters/crypto/totp-lanes.ts) and, back to back, in the calling thread (the path before it), in
 * alternating runs. Eight checkers, each a check then 2 ms of pause: what a login load's second steps look like
 * next to its hashes. Shows what a check waits and what it costs the event loop either way.
 */
export const totpLaneBench = async (runs: number, seconds: number): Promise<TotpLaneFigures> => {
  const pool = createCryptoPool({});
  try {
    const hasher = await PoolPasswordHasher.create(pool, defaultPolicy.argon2);
    const phc = await hasher.hash('totp-lane-bench');
    const verifiers: Record<TotpLaneRun['path'], TotpVerifier> = { pool: new PoolTotpVerifier(pool), loop: new OtplibTotpVerifier() };
    const secret = base32(new TextEncoder().encode('12345678901234567890'));
    const check = (v: TotpVerifier) => v.verify({ secret, params: { algorithm: 'SHA1', digits: 6, period: 30 }, code: '123456', now: Date.now(), window: 1, after: null });
    await check(verifiers.pool);
    await pool.lowerHashingPriority();
    let stop = false;
    let hashes = 0;
    const hashLoop = async () => {
      while (!stop) {
        try {
          await hasher.verify(phc, 'totp-lane-bench');
          hashes++;
        } catch {
          await new Promise((r) => setTimeout(r, 1)); // shed: the queue is full, as meant
        }
      }
    };
    const { argon2MaxQueue, argon2Threads } = pool.stats();
    const hashers = Array.from({ length: argon2MaxQueue + argon2Threads * 2 }, hashLoop);
    await new Promise((r) => setTimeout(r, 1000));
    const out: TotpLaneRun[] = [];
    for (let i = 0; i < runs * 2; i++) {
      const path: TotpLaneRun['path'] = i % 2 === 0 ? 'pool' : 'loop';
      const ms: number[] = [];
      const cpu0 = mainThreadCpuMs();
      const hashes0 = hashes;
      const started = performance.now();
      const deadline = started + seconds * 1000;
      const checker = async () => {
        while (performance.now() < deadline) {
          const t = performance.now();
          await check(verifiers[path]);
          ms.push(performance.now() - t);
          await new Promise((r) => setTimeout(r, 2));
        }
      };
      await Promise.all(Array.from({ length: 8 }, checker));
      const elapsed = (performance.now() - started) / 1000;
      out.push({
        path,
        checks: ms.length,
        p50Ms: percentile(ms, 50),
        p99Ms: percentile(ms, 99),
        loopCpuUsPerCheck: ((mainThreadCpuMs() - cpu0) * 1000) / ms.length,
        hashesPerSecond: (hashes - hashes0) / elapsed,
        queuedAtEnd: pool.stats().argon2Queued,
      });
    }
    stop = true;
    await Promise.all(hashers);
    const of = (path: TotpLaneRun['path']) => {
      const rs = out.filter((r) => r.path === path);
      return { p50Ms: median(rs.map((r) => r.p50Ms)), p99Ms: median(rs.map((r) => r.p99Ms)), loopCpuUsPerCheck: median(rs.map((r) => r.loopCpuUsPerCheck)), hashesPerSecond: median(rs.map((r) => r.hashesPerSecond)) };
    };
    return { runs: out, pool: of('pool'), loop: of('loop') };
  } finally {
    await pool.close();
  }
};

export const totpLaneLines = (t: TotpLaneFigures): string[] => [
  `TOTP check with the argon2 queue full (${t.runs.filter((r) => r.path === 'pool').length} alternating pairs): worker lanes p50/p99 ${round(t.pool.p50Ms, 2)}/${round(t.pool.p99Ms, 2)} ms, loop CPU ${Math.round(t.pool.loopCpuUsPerCheck)} µs a check, ${round(t.pool.hashesPerSecond, 1)} hashes/s; in the calling thread ${round(t.loop.p50Ms, 2)}/${round(t.loop.p99Ms, 2)} ms, ${Math.round(t.loop.loopCpuUsPerCheck)} µs, ${round(t.loop.hashesPerSecond, 1)} hashes/s`,
];

// Alone (libuv's pool sized as bench/run.cjs sizes it): `npm run build && UV_THREADPOOL_SIZE=2 node dist/bench/totp-lane-bench.js`.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await totpLaneBench(Number(process.env.BENCH_RUNS ?? 3), Number(process.env.BENCH_PHASE_SECONDS ?? 6));
  process.stdout.write(`${totpLaneLines(figures).join('\n')}\n${JSON.stringify(figures.runs)}\n`);
}
