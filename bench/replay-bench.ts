import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** A bare raw scan of the events table with one JSON.parse per row: the floor replay is measured against. */
export const bareScanRate = (path: string): number => {
  const db = new Database(path, { readonly: true });
  const started = performance.now();
  let n = 0;
  let checksum = 0;
  for (const row of db.prepare('SELECT seq, stream, version, type, data FROM events ORDER BY seq').raw().iterate() as IterableIterator<unknown[]>) {
    const data = JSON.parse(row[4] as string) as object;
    checksum += Object.keys(data).length;
    n++;
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  if (checksum < 0) throw new Error('unreachable');
  return n / seconds;
};

/** Runs a `latchkey` CLI command on the data dir (or `env`'s LATCHKEY_DATABASE_URL) and returns the events/s it reports and whether it passed. */
export const cliRate = (cli: string, path: string, command: 'replay' | 'verify', env: Record<string, string> = {}): { rate: number; ok: boolean; wallSeconds: number } => {
  const started = performance.now();
  const r = spawnSync(process.execPath, [cli, command], { env: { ...process.env, LATCHKEY_DATA_DIR: dirname(path), ...env }, encoding: 'utf8', timeout: 10 * 60_000 });
  const wallSeconds = (performance.now() - started) / 1000;
  const rate = Number(/\((\d+) events\/s\)/.exec(r.stdout)?.[1] ?? NaN);
  return { rate, ok: r.status === 0, wallSeconds };
};
