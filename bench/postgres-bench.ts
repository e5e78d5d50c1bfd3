/**
 * The PostgreSQL store on its own throwaway cluster (docs/performance.md "PostgreSQL"): appends at a login's shape
 * (three streams a command, as a two-step login's second step writes) from `clients` concurrent callers through one
 * node's writer (group commit), then the database's commits per second and its server CPU per append from /proc of
 * the postgres processes, then a replay of the whole log in events/s.
 * Run: `node dist/bench/postgres-bench.js [appends] [clients]` (defaults 20000 and 32; the tiny check: 500 8).
 */
import { readFileSync } from 'node:fs';
import { openPgPool } from '../adapters/postgres/open-pg-pool.js';
import { openPostgresEventStore } from '../adapters/postgres/postgres-event-store.js';
import { replayPostgresLog } from '../adapters/postgres/replay-postgres-log.js';
import type { AppendRequest } from '../core/ports/event-store.js';
import { startThrowawayPostgres } from '../test/helpers/throwaway-postgres.js';

const appends = Number(process.argv[2] ?? 20_000);
const clients = Number(process.argv[3] ?? 32);

const cpuMs = (pids: readonly number[]): number =>
  pids.reduce((n, pid) => {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return n + (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      return n;
    }
  }, 0);

const meta = { requestId: 'bench', ip: '192.0.2.1', dialect: 'native' as const, userAgent: 'bench' };
const login = (i: number): AppendRequest => ({
  commandId: `bench-${i}`,
  at: 1_700_000_000_000 + i,
  meta,
  writes: [
    { kind: 'probe', id: `p${i % 5000}`, expectedVersion: 'any', events: [{ type: 'UnknownUserAttempted', data: { attempts: 1 } }] },
    { kind: 'probe', id: `q${i}`, expectedVersion: 0, events: [{ type: 'UnknownUserAttempted', data: { attempts: 1 } }] },
    { kind: 'probe', id: `r${i}`, expectedVersion: 0, events: [{ type: 'UnknownUserAttempted', data: { attempts: 2 } }] },
  ],
});

const postgres = await startThrowawayPostgres();
try {
  const store = await openPostgresEventStore(postgres.url);
  const stats = openPgPool(postgres.url, { max: 1 });
  const commits = async () => Number((await stats.query<{ n: string }>(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS n`)).rows[0]!.n);
  const c0 = await commits();
  const cpu0 = cpuMs(postgres.pids());
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < appends) await store.append(login(next++));
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuMs(postgres.pids()) - cpu0;
  const txs = (await commits()) - c0;
  process.stdout.write(
    `appends: ${appends} from ${clients} clients in ${seconds.toFixed(2)} s = ${Math.round(appends / seconds)} appends/s; ` +
      `write transactions ${txs} (${Math.round(txs / seconds)}/s, ${(appends / Math.max(1, txs)).toFixed(1)} appends a commit, reads and throttle not included); ` +
      `postgres CPU ${(cpu / appends).toFixed(3)} ms an append\n`,
  );
  const r0 = performance.now();
  const replay = await replayPostgresLog(store.pool);
  const rs = (performance.now() - r0) / 1000;
  process.stdout.write(`replay: ${replay.events} events in ${rs.toFixed(2)} s = ${Math.round(replay.events / rs)} events/s (equal: ${replay.equal})\n`);
  await stats.end();
  await store.close();
} finally {
  postgres.destroy();
}
