import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { failures } from '../core/audit/failures.js';
import { history } from '../core/audit/history.js';
import { runWhatIf } from '../core/audit/run-what-if.js';
import { defaultPolicy } from '../core/policy.js';
import { exportLog } from '../adapters/sqlite/export-log.js';
import { openDatabase } from '../adapters/sqlite/open-database.js';
import { SqliteAuditLog } from '../adapters/sqlite/sqlite-audit-log.js';
import { generateEvents } from './generate-events.js';
import { bareScanRate, cliRate } from './replay-bench.js';
import { median, percentile, round } from './stats.js';

export interface AuditFigures {
  readonly events: number;
  readonly history: { readonly samples: number; readonly p50Ms: number; readonly p99Ms: number; readonly eventsPerAnswer: number };
  readonly failuresByIp: { readonly perSecond: number; readonly ratioToScan: number; readonly pairRatios: readonly number[] };
  readonly export: { readonly perSecond: number; readonly ratioToScan: number; readonly pairRatios: readonly number[]; readonly rssAfter1MMiB: number; readonly rssPeakTo3MMiB: number; readonly rssGrowthMiB: number };
  /** Null until core/audit/what-if.ts is the real fold (the audit branch carries a placeholder that throws). */
  readonly whatIf: { readonly perSecond: number; readonly replayPerSecond: number; readonly ratioToReplay: number; readonly pairRatios: readonly number[] } | { readonly notMeasured: string };
  readonly seconds: number;
}

const mib = (bytes: number) => bytes / 2 ** 20;
const exportMemoryEntry = new URL('./export-memory.js', import.meta.url).pathname;

/**
 * The audit figures (issue 18) over the bench's generated log, the queries as `latchkey audit` runs them (the same
 * functions, in this process, without the chain check each CLI run starts with: that is `latchkey verify`'s figure):
 * - history of one account: p50/p99 over random accounts;
 * - failures --by ip over the whole log and export (NDJSON to /dev/null), each divided by the mean of the bare scans
 *   just before and just after it, as replay is;
 * - export's memory: RSS once 1M events were exported and its peak until 3M (the log exported back to back until
 *   3M events have gone out: memory that grew with rows exported would show), in a process of its own started as
 *   the CLI is (bench/export-memory.ts): this one runs with a larger young generation, which lets garbage pile up;
 * - what-if against `latchkey replay`'s own events/s, run back to back.
 */
export const auditBench = async (dbPath: string, cli: string, rounds: number, log: (s: string) => void): Promise<AuditFigures> => {
  const started = performance.now();
  const db = openDatabase(dbPath, { readonly: true, fileMustExist: true });
  const auditLog = new SqliteAuditLog(db, async () => ({ ok: true, events: 0 }));
  const events = auditLog.rows();
  try {
    const accounts = db.prepare("SELECT count(*) FROM events WHERE type = 'AccountRegistered' AND json_extract(data, '$.username') IS NOT NULL").pluck().get() as number;
    const latencies: number[] = [];
    let answered = 0;
    for (let i = 0; i < 520; i++) {
      const username = `user${Math.floor(Math.random() * accounts)}@example.com`;
      const t0 = performance.now();
      const page = await history(auditLog, null, { username, range: {}, after: 0, limit: 1000 });
      const ms = performance.now() - t0;
      if (i >= 20) {
        latencies.push(ms);
        answered += page.events.length;
      }
    }
    log(`audit history: p99 ${round(percentile(latencies, 99))} ms`);

    const nul = openSync('/dev/null', 'w');
    const exportOnce = (): Promise<number> =>
      exportLog(db, { range: {}, format: 'ndjson' }, (chunk) => {
        writeSync(nul, chunk);
      });
    const exportRun = async (): Promise<number> => {
      const t0 = performance.now();
      const rows = await exportOnce();
      return rows / ((performance.now() - t0) / 1000);
    };
    const failuresRun = async (): Promise<number> => {
      const t0 = performance.now();
      await failures(auditLog, { by: 'ip', range: {}, after: 0, limit: 100 });
      return events / ((performance.now() - t0) / 1000);
    };
    const failuresRates: number[] = [];
    const failuresRatios: number[] = [];
    const exportRates: number[] = [];
    const exportRatios: number[] = [];
    const whatIfRates: number[] = [];
    const replayRates: number[] = [];
    let whatIfMissing: string | null = null;
    for (let r = 0; r < rounds; r++) {
      const s0 = bareScanRate(dbPath);
      const f = await failuresRun();
      const s1 = bareScanRate(dbPath);
      const e = await exportRun();
      const s2 = bareScanRate(dbPath);
      failuresRates.push(f);
      failuresRatios.push(f / ((s0 + s1) / 2));
      exportRates.push(e);
      exportRatios.push(e / ((s1 + s2) / 2));
      if (whatIfMissing === null) {
        const replay = cliRate(cli, dbPath, 'replay');
        try {
          const t0 = performance.now();
          await runWhatIf(auditLog, { actual: defaultPolicy, alternative: { ...defaultPolicy, lockout: { ...defaultPolicy.lockout, threshold: 3 } } });
          whatIfRates.push(events / ((performance.now() - t0) / 1000));
          replayRates.push(replay.rate);
        } catch (err) {
          whatIfMissing = err instanceof Error ? err.message : String(err);
        }
      }
      log(`audit round ${r + 1}: failures ${Math.round(f)}/s, export ${Math.round(e)}/s, scans ${[s0, s1, s2].map(Math.round).join(', ')}/s`);
    }
    closeSync(nul);
    // Memory in a process of its own, as the CLI runs an export (bench/export-memory.ts).
    const memory = spawnSync(process.execPath, [exportMemoryEntry, dbPath], { encoding: 'utf8' });
    if (memory.status !== 0) throw new Error(`export-memory: ${memory.stderr}`);
    const { rssAfter1M, rssPeak } = JSON.parse(memory.stdout) as { rssAfter1M: number; rssPeak: number };
    const whatIfRatios = whatIfRates.map((w, i) => w / replayRates[i]!);
    return {
      events,
      history: { samples: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), eventsPerAnswer: answered / latencies.length },
      failuresByIp: { perSecond: median(failuresRates), ratioToScan: median(failuresRatios), pairRatios: failuresRatios },
      export: { perSecond: median(exportRates), ratioToScan: median(exportRatios), pairRatios: exportRatios, rssAfter1MMiB: mib(rssAfter1M), rssPeakTo3MMiB: mib(rssPeak), rssGrowthMiB: mib(rssPeak - rssAfter1M) },
      whatIf:
        whatIfMissing !== null
          ? { notMeasured: whatIfMissing }
          : { perSecond: median(whatIfRates), replayPerSecond: median(replayRates), ratioToReplay: median(whatIfRatios), pairRatios: whatIfRatios },
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    auditLog.close();
  }
};

/** The audit lines of the bench's targets: [name, met, figure]. */
export const auditTargets = (a: AuditFigures): [string, boolean, string][] => [
  ['audit history of one account p99 < 20 ms', a.history.p99Ms < 20, `${round(a.history.p99Ms)} ms (p50 ${round(a.history.p50Ms)} ms, ${round(a.history.eventsPerAnswer, 1)} events an answer)`],
  [
    'audit failures --by ip ≥ 0.75 × bare scan',
    a.failuresByIp.ratioToScan >= 0.75,
    `${Math.round(a.failuresByIp.perSecond)} events/s; ${round(a.failuresByIp.ratioToScan, 3)} (pairs ${a.failuresByIp.pairRatios.map((x) => round(x, 2)).join(', ')})`,
  ],
  [
    'audit export ≥ 0.75 × bare scan, RSS growth < 50 MiB from 1M to 3M events',
    a.export.ratioToScan >= 0.75 && a.export.rssGrowthMiB < 50,
    `${Math.round(a.export.perSecond)} events/s; ${round(a.export.ratioToScan, 3)} (pairs ${a.export.pairRatios.map((x) => round(x, 2)).join(', ')}); RSS ${round(a.export.rssAfter1MMiB, 1)} → peak ${round(a.export.rssPeakTo3MMiB, 1)} MiB`,
  ],
  'notMeasured' in a.whatIf
    ? ['audit what-if ≥ 0.75 × replay', false, `not measured: ${a.whatIf.notMeasured}`]
    : [
        'audit what-if ≥ 0.75 × replay',
        a.whatIf.ratioToReplay >= 0.75,
        `${Math.round(a.whatIf.perSecond)} events/s against replay ${Math.round(a.whatIf.replayPerSecond)}; ${round(a.whatIf.ratioToReplay, 3)} (pairs ${a.whatIf.pairRatios.map((x) => round(x, 2)).join(', ')})`,
      ],
];

// Alone: `npm run build && BENCH_REPLAY_EVENTS=200000 node dist/bench/audit-bench.js` (a log of its own, then removed).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const work = mkdtempSync(join(tmpdir(), 'latchkey-audit-bench-'));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  try {
    const dbPath = join(work, 'latchkey.db');
    const generated = generateEvents(dbPath, Number(process.env.BENCH_REPLAY_EVENTS ?? 1_000_000), (n) => {
      if (n % 100_000 < 2000) log(`generated ${n} events`);
    });
    log(`generated ${generated} events`);
    const figures = await auditBench(dbPath, new URL('../../bin/latchkey.cjs', import.meta.url).pathname, Number(process.env.BENCH_RUNS ?? 3), log);
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    for (const [name, met, figure] of auditTargets(figures)) process.stdout.write(`${met ? 'MET    ' : 'NOT MET'}  ${name}: ${figure}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
