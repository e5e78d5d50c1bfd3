import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCryptoPool } from '../adapters/crypto/crypto-pool.js';
import { PoolPasswordHasher } from '../adapters/crypto/pool-password-hasher.js';
import { openPgPool } from '../adapters/postgres/open-pg-pool.js';
import { openPostgresEventStore } from '../adapters/postgres/postgres-event-store.js';
import type { AppendRequest } from '../core/ports/event-store.js';
import { defaultPolicy } from '../core/policy.js';
import { type ThrowawayPostgres, startThrowawayPostgres } from '../test/helpers/throwaway-postgres.js';
import { UserRing, benchPassword, createBenchUsers } from './bench-users.js';
import { type BracketedRun, type RunProbe, bracketedRun, noProbe, oneServerLoad, summarize } from './bracketed-run.js';
import { generateEvents } from './generate-events.js';
import { BenchClient } from './http-client.js';
import type { LoadResult } from './login-load.js';
import { type PostgresUse, postgresMeter } from './postgres-meter.js';
import { rawArgon2Limit } from './raw-argon2-limit.js';
import { cliRate } from './replay-bench.js';
import { type ServerProcess, startServerProcess } from './server-process.js';
import { median, round } from './stats.js';

/** What a load run on PostgreSQL adds to a bracketed run: the database's share of it. */
interface DatabaseRun {
  readonly eventsPerSecond: number;
  readonly database: PostgresUse & { readonly writeTransactionsPerSecond: number; readonly writeTransactionsPerLogin: number; readonly cpuMsPerLogin: number };
}

/** Appends through the store alone (no HTTP, no argon2), from one writer or two: what the chain head's lock passes. */
interface ChainRun {
  readonly writers: number;
  readonly appends: number;
  readonly appendsPerSecond: number;
  readonly writeTransactionsPerSecond: number;
  readonly appendsPerTransaction: number;
  readonly cpuMsPerAppend: number;
}

export interface PostgresFigures {
  readonly concurrency: number;
  readonly oneNode: ReturnType<typeof summarize> & { readonly otpStepP99Ms: number; readonly database: DatabaseSummary; readonly runs: readonly (BracketedRun & DatabaseRun)[] };
  /** SQLite's node at the same concurrency, each run right after a PostgreSQL one. */
  readonly sqlite: ReturnType<typeof summarize> & { readonly runs: readonly BracketedRun[] };
  /** PostgreSQL's ratio to raw ÷ SQLite's, per pair of runs, both at `concurrency`. */
  readonly pairRatios: readonly number[];
  readonly pgOverSqlite: number;
  /**
   * The PostgreSQL node at its own best of `concurrency` and half of it (median ratio to raw), each of its runs
   * against the SQLite run of the same pair: each node's capacity, the line's figure.
   */
  readonly atBest: { readonly concurrency: number; readonly ratioToRaw: number; readonly runs: readonly BracketedRun[]; readonly pairRatios: readonly number[]; readonly pgOverSqlite: number };
  readonly twoNodes: ReturnType<typeof summarize> & { readonly database: DatabaseSummary; readonly runs: readonly (BracketedRun & DatabaseRun)[] };
  readonly chain: readonly ChainRun[];
  readonly replay?: PostgresReplay;
}
interface DatabaseSummary {
  readonly writeTransactionsPerSecond: number;
  readonly writeTransactionsPerLogin: number;
  readonly cpuMsPerLogin: number;
}

export interface PostgresReplay {
  readonly events: number;
  readonly importPerSecond: number;
  readonly replayPerSecond: number;
  readonly verifyPerSecond: number;
  readonly replayOk: boolean;
  readonly verifyOk: boolean;
  readonly runs: { readonly replay: readonly number[]; readonly verify: readonly number[] };
}

const databaseSummary = (runs: readonly DatabaseRun[]): DatabaseSummary => ({
  writeTransactionsPerSecond: median(runs.map((r) => r.database.writeTransactionsPerSecond)),
  writeTransactionsPerLogin: median(runs.map((r) => r.database.writeTransactionsPerLogin)),
  cpuMsPerLogin: median(runs.map((r) => r.database.cpuMsPerLogin)),
});

/** Two closed loops at once, one per node, as one load: logins summed, each latency the worse node's. */
const bothNodes = (loads: readonly (() => Promise<LoadResult>)[]) => async (): Promise<LoadResult> => {
  const rs = await Promise.all(loads.map((l) => l()));
  const worse = (pick: (r: LoadResult) => LoadResult['otpStepMs']) => ({ p50: Math.max(...rs.map((r) => pick(r).p50)), p95: Math.max(...rs.map((r) => pick(r).p95)), p99: Math.max(...rs.map((r) => pick(r).p99)) });
  const sum = (pick: (r: LoadResult) => number) => rs.reduce((n, r) => n + pick(r), 0);
  return {
    concurrency: sum((r) => r.concurrency),
    logins: sum((r) => r.logins),
    loginsPerSecond: sum((r) => r.loginsPerSecond),
    failures: sum((r) => r.failures),
    shed: sum((r) => r.shed),
    throttled: sum((r) => r.throttled),
    passwordStepMs: worse((r) => r.passwordStepMs),
    otpStepMs: worse((r) => r.otpStepMs),
  };
};

/**
 * Complete two-step logins on PostgreSQL (issue 21), in the same run:
 * - one node on PostgreSQL at `concurrency`, then the SQLite node still running from main.ts at the same, then the
 *   PostgreSQL node at half of it, each bracketed by raw measurements; the figures are the medians of the per-pair
 *   ratios of their ratios to raw, the PostgreSQL node at `concurrency` and at its better of the two;
 * - two nodes on the one PostgreSQL, the clients split between them (on 2 cores: the same cores, so the figure is
 *   the cost of the split, not a gain);
 * each with the database's write transactions per second and its server's CPU per login (postgres-meter.ts).
 * The nodes share the secret key (their sealed TOTP seeds), as the README's "Running several nodes" says.
 */
export const postgresLogins = async (options: {
  readonly cli: string;
  readonly work: string;
  readonly postgres: ThrowawayPostgres;
  readonly phc: string;
  readonly rawLimit: (seconds: number) => Promise<number>;
  readonly runs: number;
  readonly phaseSeconds: number;
  readonly benchUsers: number;
  readonly concurrency: number;
  readonly sqlite: { readonly server: ServerProcess; readonly ring: UserRing } | null;
  readonly log: (s: string) => void;
}): Promise<Omit<PostgresFigures, 'chain' | 'replay'>> => {
  const { cli, work, postgres, phc, rawLimit, runs, phaseSeconds, concurrency, log } = options;
  const adminKey = randomBytes(24).toString('base64url');
  const env = {
    // The nodes share the database's machine: its Unix socket, as a co-located PostgreSQL is reached (Debian's default).
    LATCHKEY_DATABASE_URL: postgres.socketUrl,
    LATCHKEY_SECRET_KEY: randomBytes(32).toString('hex'),
    // As main.ts's server: one address, a budget wide enough to measure the engine (the buckets are still written).
    LATCHKEY_THROTTLE_IP_BURST: '1000000',
    LATCHKEY_THROTTLE_IP_PER_MINUTE: '1000000',
  };
  const stats = openPgPool(postgres.url, { max: 1, application: 'latchkey-bench' });
  const meter = postgresMeter(postgres, stats);
  const nodes: ServerProcess[] = [];
  try {
    nodes.push(await startServerProcess(cli, join(work, 'pg-node-1'), adminKey, env));
    const admin = new BenchClient(nodes[0]!.url, 16);
    const ring = new UserRing(await createBenchUsers(admin, adminKey, phc, options.benchUsers, 'pg'));
    admin.close();
    log(`${nodes[0]!.banner} on PostgreSQL, ${options.benchUsers} users`);
    const databaseProbe = (servers: readonly ServerProcess[]): RunProbe<DatabaseRun> => {
      let reading: Awaited<ReturnType<typeof meter>> | undefined;
      let seqFrom = 0;
      let started = 0;
      const lastSeq = async () => Math.max(...(await Promise.all(servers.map((s) => s.metric('latchkey_events_last_seq')))));
      return {
        start: async () => {
          await Promise.all(servers.map((s) => s.metric('latchkey_argon2_queue')));
          seqFrom = await lastSeq();
          reading = await meter();
          started = performance.now();
        },
        accountedMs: () => reading!.cpuSoFar(),
        end: async () => {
          const use = await reading!.end();
          const seconds = (performance.now() - started) / 1000;
          const events = (await lastSeq()) - seqFrom;
          return { eventsPerSecond: events / seconds, database: { ...use, writeTransactionsPerSecond: use.writeTransactions / seconds, writeTransactionsPerLogin: 0, cpuMsPerLogin: 0 } };
        },
      };
    };
    const perLogin = <R extends BracketedRun & DatabaseRun>(r: R): R => ({
      ...r,
      database: { ...r.database, writeTransactionsPerLogin: r.database.writeTransactions / Math.max(1, r.logins), cpuMsPerLogin: r.database.cpuMs / Math.max(1, r.logins) },
    });

    const pgClient = new BenchClient(nodes[0]!.url, concurrency);
    // Fewer clients: a PostgreSQL login spends longer outside argon2, so where the queue sheds, the clients asleep
    // on Retry-After leave it dry more often than on SQLite (docs/performance.md "PostgreSQL"); its best may be lower.
    const half = Math.max(1, Math.round(concurrency / 2));
    const halfRuns: BracketedRun[] = [];
    const sqliteClient = options.sqlite && new BenchClient(options.sqlite.server.url, concurrency);
    const pgRuns: (BracketedRun & DatabaseRun)[] = [];
    const sqliteRuns: BracketedRun[] = [];
    for (let i = 0; i < runs; i++) {
      pgRuns.push(perLogin(await bracketedRun([nodes[0]!], oneServerLoad(pgClient, ring, concurrency, phaseSeconds), rawLimit, databaseProbe(nodes.slice(0, 1)))));
      if (options.sqlite && sqliteClient) sqliteRuns.push(await bracketedRun([options.sqlite.server], oneServerLoad(sqliteClient, options.sqlite.ring, concurrency, phaseSeconds), rawLimit, noProbe));
      halfRuns.push(await bracketedRun([nodes[0]!], oneServerLoad(pgClient, ring, half, phaseSeconds), rawLimit, noProbe));
      const last = pgRuns[pgRuns.length - 1]!;
      log(`PostgreSQL, one node, c=${concurrency}: ${round(last.loginsPerSecond, 1)} logins/s (${round(last.ratioToRaw * 100, 1)} % of raw)${sqliteRuns.length > i ? `; SQLite ${round(sqliteRuns[i]!.ratioToRaw * 100, 1)} % of raw` : ''}; PostgreSQL, c=${half}: ${round(halfRuns[i]!.ratioToRaw * 100, 1)} % of raw`);
    }
    pgClient.close();
    sqliteClient?.close();

    nodes.push(await startServerProcess(cli, join(work, 'pg-node-2'), adminKey, env));
    const halves = nodes.map((n) => new BenchClient(n.url, Math.ceil(concurrency / 2)));
    const twoRuns: (BracketedRun & DatabaseRun)[] = [];
    for (let i = 0; i < runs; i++) {
      const load = bothNodes(halves.map((c) => oneServerLoad(c, ring, Math.ceil(concurrency / 2), phaseSeconds)));
      twoRuns.push(perLogin(await bracketedRun(nodes, load, rawLimit, databaseProbe(nodes))));
      log(`PostgreSQL, two nodes, c=${concurrency}: ${round(twoRuns[i]!.loginsPerSecond, 1)} logins/s (${round(twoRuns[i]!.ratioToRaw * 100, 1)} % of raw)`);
    }
    for (const c of halves) c.close();

    const pairRatios = sqliteRuns.map((s, i) => pgRuns[i]!.ratioToRaw / s.ratioToRaw);
    const halfIsBest = median(halfRuns.map((r) => r.ratioToRaw)) > median(pgRuns.map((r) => r.ratioToRaw));
    const bestRuns: readonly BracketedRun[] = halfIsBest ? halfRuns : pgRuns;
    const bestPairs = sqliteRuns.map((s, i) => bestRuns[i]!.ratioToRaw / s.ratioToRaw);
    return {
      concurrency,
      atBest: { concurrency: halfIsBest ? half : concurrency, ratioToRaw: median(bestRuns.map((r) => r.ratioToRaw)), runs: bestRuns, pairRatios: bestPairs, pgOverSqlite: median(bestPairs) },
      oneNode: { ...summarize(pgRuns), otpStepP99Ms: median(pgRuns.map((r) => r.otpStepMs.p99)), database: databaseSummary(pgRuns), runs: pgRuns },
      sqlite: { ...summarize(sqliteRuns), runs: sqliteRuns },
      pairRatios,
      pgOverSqlite: median(pairRatios),
      twoNodes: { ...summarize(twoRuns), database: databaseSummary(twoRuns), runs: twoRuns },
    };
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await stats.end();
  }
};

const meta = { requestId: 'bench', ip: '192.0.2.1', dialect: 'native' as const, userAgent: 'bench' };
/** A login's second step's shape: three streams a command (one shared by many commands, two new). */
const loginShaped = (writer: number, i: number): AppendRequest => ({
  commandId: `bench-${writer}-${i}`,
  at: 1_700_000_000_000 + i,
  meta,
  writes: [
    { kind: 'probe', id: `p${writer}-${i % 5000}`, expectedVersion: 'any', events: [{ type: 'UnknownUserAttempted', data: { attempts: 1 } }] },
    { kind: 'probe', id: `q${writer}-${i}`, expectedVersion: 0, events: [{ type: 'UnknownUserAttempted', data: { attempts: 1 } }] },
    { kind: 'probe', id: `r${writer}-${i}`, expectedVersion: 0, events: [{ type: 'UnknownUserAttempted', data: { attempts: 2 } }] },
  ],
});

/**
 * The chain head's order as the limit: login-shaped appends from `clients` callers on each of one, then two, writers
 * (two stores, as two nodes have) with nothing else on the machine's cores, and what they cost the database.
 */
export const chainHeadLimit = async (postgres: ThrowawayPostgres, appends: number, clients: number): Promise<ChainRun[]> => {
  const url = await postgres.database('chain');
  const stats = openPgPool(url, { max: 1, application: 'latchkey-bench' });
  const meter = postgresMeter(postgres, stats);
  const out: ChainRun[] = [];
  try {
    for (const writers of [1, 2]) {
      const stores = await Promise.all(Array.from({ length: writers }, () => openPostgresEventStore(url)));
      const reading = await meter();
      const t0 = performance.now();
      await Promise.all(
        stores.map(async (store, w) => {
          let next = 0;
          const share = Math.floor(appends / writers);
          await Promise.all(
            Array.from({ length: clients }, async () => {
              while (next < share) await store.append(loginShaped(writers * 10 + w, next++));
            }),
          );
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const use = await reading.end();
      const done = Math.floor(appends / writers) * writers;
      out.push({ writers, appends: done, appendsPerSecond: done / seconds, writeTransactionsPerSecond: use.writeTransactions / seconds, appendsPerTransaction: done / Math.max(1, use.writeTransactions), cpuMsPerAppend: use.cpuMs / done });
      await Promise.all(stores.map((s) => s.close()));
    }
    return out;
  } finally {
    await stats.end();
  }
};

/**
 * `latchkey replay` and `latchkey verify` on a PostgreSQL log of the SQLite file's events: `latchkey import-sqlite`
 * copies the file's valid chain in (batched inserts, verified before and after), then `runs` pairs of the CLI.
 */
export const postgresReplay = async (cli: string, postgres: ThrowawayPostgres, sqliteLog: string, runs: number): Promise<PostgresReplay> => {
  const url = await postgres.database('replay');
  const env = { LATCHKEY_DATABASE_URL: url };
  const t0 = performance.now();
  const imported = spawnSync(process.execPath, [cli, 'import-sqlite', sqliteLog], { env: { ...process.env, ...env, LATCHKEY_DATA_DIR: dirname(sqliteLog) }, encoding: 'utf8', timeout: 10 * 60_000 });
  const importSeconds = (performance.now() - t0) / 1000;
  const events = Number(/imported (\d+) events/.exec(imported.stdout)?.[1] ?? NaN);
  if (imported.status !== 0) throw new Error(`import-sqlite failed: ${imported.stderr}`);
  const replay: number[] = [];
  const verify: number[] = [];
  let replayOk = true;
  let verifyOk = true;
  for (let i = 0; i < runs; i++) {
    const r = cliRate(cli, sqliteLog, 'replay', env);
    replay.push(r.rate);
    replayOk &&= r.ok;
    const v = cliRate(cli, sqliteLog, 'verify', env);
    verify.push(v.rate);
    verifyOk &&= v.ok;
  }
  return { events, importPerSecond: events / importSeconds, replayPerSecond: median(replay), verifyPerSecond: median(verify), replayOk, verifyOk, runs: { replay, verify } };
};

/**
 * How many cores of Latchkey one PostgreSQL serves: a Latchkey core makes raw ÷ cores logins/s (argon2 is the login),
 * a login costs the database `cpuMsPerLogin` of CPU, and the chain head passes at most the two writers' appends/s
 * (two appends a login: the password step's and the code's).
 */
export const projection = (p: PostgresFigures, rawPerSecond: number, cores: number) => {
  const perLatchkeyCore = rawPerSecond / cores;
  const dbCpu = p.twoNodes.database.cpuMsPerLogin;
  const chain = Math.max(...p.chain.map((c) => c.appendsPerSecond)) / 2;
  return { loginsPerLatchkeyCore: perLatchkeyCore, loginsPerDatabaseCore: 1000 / dbCpu, latchkeyCoresPerDatabaseCore: 1000 / dbCpu / perLatchkeyCore, chainLoginsPerSecond: chain, latchkeyCoresAtChainLimit: chain / perLatchkeyCore };
};

export const postgresLines = (p: PostgresFigures, rawPerSecond: number, cores: number): string[] => {
  const pr = projection(p, rawPerSecond, cores);
  const db = (d: DatabaseSummary) => `${round(d.writeTransactionsPerSecond)} write transactions/s (${round(d.writeTransactionsPerLogin, 1)} a login), ${round(d.cpuMsPerLogin, 2)} ms of PostgreSQL CPU a login`;
  return [
    `PostgreSQL, one node, c=${p.concurrency}: ${round(p.oneNode.loginsPerSecond, 1)} logins/s (${round(p.oneNode.ratioToRaw, 3)} × raw; otp p99 ${round(p.oneNode.otpStepP99Ms)} ms; loop / rest of server ${round(p.oneNode.cpuMsPerLogin.serverLoop, 2)} / ${round(p.oneNode.cpuMsPerLogin.serverOther, 1)} ms a login); SQLite in the runs between ${round(p.sqlite.loginsPerSecond, 1)} logins/s (${round(p.sqlite.ratioToRaw, 3)} × raw); PostgreSQL ÷ SQLite per pair ${p.pairRatios.map((x) => round(x, 3)).join(', ')}`,
    `  database at one node's login rate: ${db(p.oneNode.database)}`,
    `PostgreSQL, one node at its best concurrency (c=${p.atBest.concurrency}): ${round(p.atBest.ratioToRaw, 3)} × raw; ÷ SQLite at c=${p.concurrency} per pair ${p.atBest.pairRatios.map((x) => round(x, 3)).join(', ')}`,
    `PostgreSQL, two nodes (same 2 cores), c=${p.concurrency} split: ${round(p.twoNodes.loginsPerSecond, 1)} logins/s (${round(p.twoNodes.ratioToRaw, 3)} × raw); ${db(p.twoNodes.database)}`,
    `chain head, login-shaped appends through the store alone: ${p.chain.map((c) => `${c.writers} writer${c.writers > 1 ? 's' : ''} ${Math.round(c.appendsPerSecond)} appends/s in ${Math.round(c.writeTransactionsPerSecond)} transactions/s (${round(c.appendsPerTransaction, 1)} a commit, ${round(c.cpuMsPerAppend, 3)} ms of PostgreSQL CPU an append)`).join('; ')}`,
    `projection: a Latchkey core makes ${round(pr.loginsPerLatchkeyCore, 1)} logins/s; one PostgreSQL core serves ${Math.round(pr.loginsPerDatabaseCore)} logins/s, ~${Math.round(pr.latchkeyCoresPerDatabaseCore)} Latchkey cores; the chain head's order passes ~${Math.round(pr.chainLoginsPerSecond)} logins/s on this disk, ~${Math.round(pr.latchkeyCoresAtChainLimit)} Latchkey cores`,
    ...(p.replay
      ? [
          `PostgreSQL log of ${p.replay.events} events (import-sqlite ${Math.round(p.replay.importPerSecond)} events/s): replay ${Math.round(p.replay.replayPerSecond)}/s (${p.replay.replayOk ? 'equal' : 'NOT EQUAL'}; runs ${p.replay.runs.replay.join(', ')}), verify ${Math.round(p.replay.verifyPerSecond)}/s (${p.replay.verifyOk ? 'ok' : 'BROKEN'})`,
        ]
      : []),
  ];
};

export const postgresTargets = (p: PostgresFigures): (readonly [string, boolean, string])[] => [
  [
    'one node on PostgreSQL (its best of 64 and 32 clients) ≥ 0.9 × one node on SQLite (64 clients), logins/s ÷ raw',
    p.atBest.pgOverSqlite >= 0.9,
    `median of per-pair ratios ${round(p.atBest.pgOverSqlite, 3)} (c=${p.atBest.concurrency} against c=${p.concurrency}; pairs ${p.atBest.pairRatios.map((x) => round(x, 3)).join(', ')}; ${round(p.atBest.ratioToRaw, 3)} against ${round(p.sqlite.ratioToRaw, 3)} × raw); both at c=${p.concurrency}: ${round(p.pgOverSqlite, 3)} (pairs ${p.pairRatios.map((x) => round(x, 3)).join(', ')})`,
  ],
  ...(p.replay ? [['replay of the PostgreSQL log ≥ 100k events/s', p.replay.replayOk && p.replay.replayPerSecond >= 100_000, `${Math.round(p.replay.replayPerSecond)} events/s over ${p.replay.events} events`] as const] : []),
];

// Alone: `npm run build && BENCH_RUNS=1 BENCH_PHASE_SECONDS=4 BENCH_USERS=1000 BENCH_REPLAY_EVENTS=200000
// UV_THREADPOOL_SIZE=2 node dist/bench/postgres-bench.js` (BENCH_CONCURRENCY, default 64; BENCH_WITH_SQLITE=1 for
// the SQLite node's runs between).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const work = mkdtempSync(join(tmpdir(), 'latchkey-pg-bench-'));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const pool = createCryptoPool({});
  const postgres = await startThrowawayPostgres();
  try {
    const hasher = await PoolPasswordHasher.create(pool, defaultPolicy.argon2);
    const phc = await hasher.hash(benchPassword);
    const rawLimit = (s: number) => rawArgon2Limit(hasher, phc, benchPassword, availableParallelism() * 2, s);
    const raw = await rawLimit(4);
    const cli = new URL('../../bin/latchkey.cjs', import.meta.url).pathname;
    const runs = Number(process.env.BENCH_RUNS ?? 3);
    const benchUsers = Number(process.env.BENCH_USERS ?? 2500);
    // BENCH_WITH_SQLITE=1: a SQLite node too, for the alternating pairs (as main.ts runs them).
    const sqliteServer =
      process.env.BENCH_WITH_SQLITE === '1'
        ? await startServerProcess(cli, join(work, 'sqlite'), 'bench-admin-key-sqlite', { LATCHKEY_THROTTLE_IP_BURST: '1000000', LATCHKEY_THROTTLE_IP_PER_MINUTE: '1000000' })
        : null;
    const sqlite = sqliteServer && { server: sqliteServer, ring: new UserRing(await createBenchUsers(new BenchClient(sqliteServer.url, 16), 'bench-admin-key-sqlite', phc, benchUsers, 'bench')) };
    const logins = await postgresLogins({ cli, work, postgres, phc, rawLimit, runs, phaseSeconds: Number(process.env.BENCH_PHASE_SECONDS ?? 6), benchUsers, concurrency: Number(process.env.BENCH_CONCURRENCY ?? 64), sqlite, log });
    await sqliteServer?.stop();
    const chain = await chainHeadLimit(postgres, 20_000, 32);
    mkdirSync(join(work, 'replay'));
    const dbPath = join(work, 'replay', 'latchkey.db');
    generateEvents(dbPath, Number(process.env.BENCH_REPLAY_EVENTS ?? 1_000_000));
    const replay = await postgresReplay(cli, postgres, dbPath, runs);
    const figures: PostgresFigures = { ...logins, chain, replay };
    for (const line of postgresLines(figures, raw, availableParallelism())) process.stdout.write(`${line}\n`);
    for (const [name, met, figure] of postgresTargets(figures)) process.stdout.write(`${met ? 'MET    ' : 'NOT MET'}  ${name}: ${figure}\n`);
  } finally {
    postgres.destroy();
    await pool.close();
    rmSync(work, { recursive: true, force: true });
  }
}
