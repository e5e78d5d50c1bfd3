import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCryptoPool } from '../adapters/crypto/crypto-pool.js';
import { PoolPasswordHasher } from '../adapters/crypto/pool-password-hasher.js';
import { defaultPolicy } from '../core/policy.js';
import { UserRing, benchPassword, createBenchUsers } from './bench-users.js';
import type { FloodTally } from './flood-client.js';
import { type FloodRun, floodRun, loopbackAddresses } from './flood-load.js';
import { BenchClient } from './http-client.js';
import { type LoadResult, loginLoad } from './login-load.js';
import { backgroundShare, machineCpu } from './machine-cpu.js';
import { rawArgon2Limit } from './raw-argon2-limit.js';
import { startServerProcess } from './server-process.js';
import { median, round } from './stats.js';

/** One load run divided by the raw limit measured just before and just after it (main.ts's bracketing). */
interface RatioRun extends LoadResult {
  readonly rawPerSecond: number;
  readonly ratioToRaw: number;
  /** CPU other processes and the hypervisor took during the load (main.ts's figure). */
  readonly background: { readonly other: number; readonly steal: number };
}

export interface TrafficFigures {
  readonly clients: number;
  readonly argon2MaxQueue: number;
  /** `clients` clients from as many addresses, then from 127.0.0.1 alone, back to back in each run. */
  readonly distinct: readonly RatioRun[];
  readonly oneAddress: readonly RatioRun[];
  readonly distinctRatio: number;
  readonly oneAddressRatio: number;
  readonly oneAddressThrottled: number;
  readonly oneAddressShed: number;
  readonly flood: {
    readonly goodClients: number;
    readonly floodClients: number;
    readonly runs: readonly FloodRun[];
    readonly goodputRatio: number;
    readonly statuses: Record<string, number>;
    readonly floodPerSecond: number;
  };
}

/** A queue that holds all the clients at once: their password steps are below the argon2 queue bound (issue 22). */
const argon2MaxQueue = 128;
const clients = 64;
const goodClients = 16;

/**
 * Issue 22's traffic shapes, against a server of its own with the default per-address budget (30, 30 a minute):
 * - 64 clients doing complete two-step logins from 64 loopback addresses, then the same from 127.0.0.1 alone (a
 *   shift change behind one NAT): their ratios to the raw limit, and the 429s and 503s the one address got;
 * - 16 clients from other addresses logging in without, then with, a flood of 64 clients from 127.0.0.1 sending wrong
 *   passwords and ignoring Retry-After (bench/flood-client.ts, its own process): goodput with ÷ without, back to
 *   back, and every answer the flood got.
 */
export const trafficBench = async (
  cli: string,
  dataDir: string,
  phc: string,
  rawLimit: (seconds: number) => Promise<number>,
  runs: number,
  seconds: number,
  users: number,
  log: (s: string) => void,
): Promise<TrafficFigures> => {
  const adminKey = randomBytes(24).toString('base64url');
  const server = await startServerProcess(cli, dataDir, adminKey, { LATCHKEY_ARGON2_MAX_QUEUE: String(argon2MaxQueue) });
  try {
    const admin = new BenchClient(server.url, 16);
    const ring = new UserRing(await createBenchUsers(admin, adminKey, phc, users, 'traffic'));
    admin.close();
    const bracketed = async (client: BenchClient): Promise<RatioRun> => {
      const before = await rawLimit(3);
      const [machineFrom, serverFrom, clientFrom] = [machineCpu(), server.cpuMs().all, process.cpuUsage()];
      const r = await loginLoad(client, ring, clients, seconds);
      const own = process.cpuUsage(clientFrom);
      const background = backgroundShare(machineFrom, machineCpu(), server.cpuMs().all - serverFrom + (own.user + own.system) / 1000);
      const rawPerSecond = (before + (await rawLimit(3))) / 2;
      return { ...r, rawPerSecond, ratioToRaw: r.loginsPerSecond / rawPerSecond, background };
    };
    // A fresh server: its first seconds (JIT, SQLite's caches) are warm-up, not figures.
    const warm = new BenchClient(server.url, clients, loopbackAddresses(clients));
    await loginLoad(warm, ring, clients, Math.min(seconds, 3));
    warm.close();
    const distinct: RatioRun[] = [];
    const oneAddress: RatioRun[] = [];
    for (let i = 0; i < runs; i++) {
      const many = new BenchClient(server.url, clients, loopbackAddresses(clients));
      distinct.push(await bracketed(many));
      many.close();
      const one = new BenchClient(server.url, clients, '127.0.0.1');
      oneAddress.push(await bracketed(one));
      one.close();
      const [d, o] = [distinct[i]!, oneAddress[i]!];
      const other = (r: RatioRun) => `${round(r.background.other * 100, 1)} %`;
      log(`traffic: ${clients} clients from ${clients} addresses ${round(d.ratioToRaw, 3)} × raw, from one ${round(o.ratioToRaw, 3)} × raw (429 ${o.throttled}, 503 ${o.shed}; pw p99 ${round(d.passwordStepMs.p99)} / ${round(o.passwordStepMs.p99)} ms; other processes ${other(d)} / ${other(o)})`);
    }
    // Last: the flood spends 127.0.0.1's budget.
    const floods: FloodRun[] = [];
    for (let i = 0; i < runs; i++) {
      floods.push(await floodRun(server.url, ring, goodClients, clients, seconds));
      const f = floods[i]!;
      log(`flood: other addresses ${round(f.quiet.loginsPerSecond, 1)} → ${round(f.flooded.loginsPerSecond, 1)} logins/s (${round(f.goodputRatio, 2)}), flood answered ${round(f.flood.perSecond)}/s: ${JSON.stringify(f.flood.statuses)}`);
    }
    const statuses: Record<string, number> = {};
    for (const f of floods) for (const [s, n] of Object.entries(f.flood.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
    return {
      clients,
      argon2MaxQueue,
      distinct,
      oneAddress,
      distinctRatio: median(distinct.map((r) => r.ratioToRaw)),
      oneAddressRatio: median(oneAddress.map((r) => r.ratioToRaw)),
      oneAddressThrottled: oneAddress.reduce((n, r) => n + r.throttled, 0),
      oneAddressShed: oneAddress.reduce((n, r) => n + r.shed, 0),
      flood: { goodClients, floodClients: clients, runs: floods, goodputRatio: median(floods.map((f) => f.goodputRatio)), statuses, floodPerSecond: median(floods.map((f) => f.flood.perSecond)) },
    };
  } finally {
    await server.stop();
  }
};

/** Answers of the flood other than a judged guess (401), a 429 or a 503: none is the target. */
const otherAnswers = (statuses: FloodTally['statuses']) => Object.entries(statuses).filter(([s]) => !['401', '429', '503'].includes(s));

export const trafficTargets = (t: TrafficFigures): [string, boolean, string][] => [
  [
    `${t.clients} clients behind one address, every login correct: no 429 and no 503 (argon2 queue ${t.argon2MaxQueue})`,
    t.oneAddressThrottled === 0 && t.oneAddressShed === 0,
    `${t.oneAddressThrottled} × 429, ${t.oneAddressShed} × 503`,
  ],
  [
    `${t.clients} clients behind one address ≥ 0.95 × ${t.clients} clients from distinct addresses (÷ raw)`,
    t.oneAddressRatio >= 0.95 * t.distinctRatio,
    `${round(t.oneAddressRatio, 3)} vs ${round(t.distinctRatio, 3)} (runs ${t.oneAddress.map((r, i) => `${round(r.ratioToRaw, 2)}/${round(t.distinct[i]!.ratioToRaw, 2)}`).join(', ')})`,
  ],
  [
    `flood of ${t.flood.floodClients} clients from one address ignoring Retry-After: other addresses keep ≥ 0.5 × their logins/s`,
    t.flood.goodputRatio >= 0.5,
    `median ${round(t.flood.goodputRatio, 2)} (runs ${t.flood.runs.map((f) => `${round(f.quiet.loginsPerSecond, 1)} → ${round(f.flooded.loginsPerSecond, 1)}`).join(', ')}); the flood answered ${round(t.flood.floodPerSecond)}/s`,
  ],
  ['the flood is answered 429/503 only (and 401 for the guesses its budget judged): no other 5xx', otherAnswers(t.flood.statuses).length === 0, JSON.stringify(t.flood.statuses)],
];

export const trafficLines = (t: TrafficFigures): string[] => [
  `${t.clients} clients, complete logins (argon2 queue ${t.argon2MaxQueue}, default per-address budget): from ${t.clients} addresses ${round(t.distinctRatio, 3)} × raw; from one address ${round(t.oneAddressRatio, 3)} × raw, ${t.oneAddressThrottled} × 429, ${t.oneAddressShed} × 503`,
  `flood from one address (${t.flood.floodClients} clients ignoring Retry-After): ${t.flood.goodClients} clients on other addresses ${t.flood.runs.map((f) => `${round(f.quiet.loginsPerSecond, 1)} → ${round(f.flooded.loginsPerSecond, 1)}`).join(', ')} logins/s (median ${round(t.flood.goodputRatio, 2)} ×); the flood answered ${round(t.flood.floodPerSecond)}/s: ${JSON.stringify(t.flood.statuses)}`,
];

// Alone: `npm run build && BENCH_RUNS=1 BENCH_PHASE_SECONDS=2 BENCH_USERS=1000 UV_THREADPOOL_SIZE=2 node dist/bench/traffic-bench.js`.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const work = mkdtempSync(join(tmpdir(), 'latchkey-traffic-bench-'));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const pool = createCryptoPool({});
  try {
    const hasher = await PoolPasswordHasher.create(pool, defaultPolicy.argon2);
    const phc = await hasher.hash(benchPassword);
    const rawLimit = (s: number) => rawArgon2Limit(hasher, phc, benchPassword, availableParallelism() * 2, s);
    const cli = new URL('../../bin/latchkey.cjs', import.meta.url).pathname;
    const figures = await trafficBench(cli, join(work, 'server'), phc, rawLimit, Number(process.env.BENCH_RUNS ?? 3), Number(process.env.BENCH_PHASE_SECONDS ?? 6), Number(process.env.BENCH_USERS ?? 2500), log);
    for (const line of trafficLines(figures)) process.stdout.write(`${line}\n`);
    for (const [name, met, figure] of trafficTargets(figures)) process.stdout.write(`${met ? 'MET    ' : 'NOT MET'}  ${name}: ${figure}\n`);
  } finally {
    await pool.close();
    rmSync(work, { recursive: true, force: true });
  }
}
