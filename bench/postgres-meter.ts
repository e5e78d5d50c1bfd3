import { readFileSync } from 'node:fs';
import type pg from 'pg';
import type { ThrowawayPostgres } from '../test/helpers/throwaway-postgres.js';

/** utime + stime of one process so far, in ms (fields 14 and 15 of /proc/PID/stat, 10 ms ticks); 0 once it is gone. */
const processCpuMs = (pid: number): number => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
};

/** What the database server did over an interval. */
export interface PostgresUse {
  /** CPU of the postmaster and all its children (backends, WAL writer, checkpointer, …), in ms. */
  readonly cpuMs: number;
  /** Transactions that wrote (each took a transaction id): the writers' batches and the throttle's updates. */
  readonly writeTransactions: number;
}

/**
 * Reads the cluster's CPU from /proc (a backend started meanwhile counts from zero) and its write transactions from
 * the next transaction id (`pg_current_snapshot()`'s xmax: exact at once, where pg_stat_database's counters reach
 * the view up to a second late). Read-only transactions take no id: the loads are not in the count.
 */
export const postgresMeter = (postgres: ThrowawayPostgres, stats: pg.Pool) => {
  const cpu = () => new Map(postgres.pids().map((pid) => [pid, processCpuMs(pid)]));
  const nextXid = async () => Number((await stats.query<{ n: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS n')).rows[0]!.n);
  return async () => {
    const cpuFrom = cpu();
    const xidFrom = await nextXid();
    const cpuSoFar = () => [...cpu()].reduce((n, [pid, ms]) => n + ms - (cpuFrom.get(pid) ?? 0), 0);
    return {
      cpuSoFar,
      end: async (): Promise<PostgresUse> => ({ cpuMs: cpuSoFar(), writeTransactions: (await nextXid()) - xidFrom }),
    };
  };
};
