import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ThrowawayPostgres {
  /** postgres://…@127.0.0.1:PORT/latchkey (trust authentication, reachable from 127.0.0.1 only). */
  readonly url: string;
  /** The same database through the cluster's Unix socket (how a node on the database's machine reaches it). */
  readonly socketUrl: string;
  readonly port: number;
  readonly dataDir: string;
  /** A database of its own on this cluster (`CREATE DATABASE`), for tests that need a fresh schema. */
  database(name: string): Promise<string>;
  /** `pg_ctl stop -m fast`: connections drop at once (a lost database, for fail-closed tests). */
  stop(): void;
  /** Starts it again on the same directory and port. */
  start(): void;
  /** The server processes' pids (the postmaster and its children), for CPU accounting from /proc. */
  pids(): number[];
  /** Stops it (immediate) and removes its directory; also runs at process exit. */
  destroy(): void;
}

/** Debian's postgresql package puts the server binaries here (/usr/lib/postgresql/<major>/bin). */
const binDir = (): string => {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', 'initdb'))) : [];
  if (majors.length === 0) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  return join(root, majors.sort((a, b) => Number(b) - Number(a))[0]!, 'bin');
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/**
 * A PostgreSQL cluster of its own in a temp dir, for one test file or bench run: `initdb` as an unprivileged user
 * (initdb refuses root: as root, through `runuser -u postgres`, the user Debian's package creates), `pg_ctl start`
 * on a free port of 127.0.0.1 with its socket in the same dir, stopped and removed at the end. fsync and
 * synchronous_commit stay at their durable defaults: what the tests and the bench see is what production pays.
 */
export const startThrowawayPostgres = async (): Promise<ThrowawayPostgres> => {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-pg-'));
  const dataDir = join(dir, 'data');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: readonly string[]): void => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), [...args]];
    const r = spawnSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    if (r.status !== 0) throw new Error(`${tool} failed (${r.status}): ${r.stderr.toString()}${r.stdout.toString()}`);
  };
  run('initdb', ['-D', dataDir, '-U', 'latchkey', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c max_connections=200`;
  const start = () => run('pg_ctl', ['start', '-w', '-t', '60', '-D', dataDir, '-l', join(dir, 'server.log'), '-o', options]);
  let running = false;
  const stopNow = (mode: 'fast' | 'immediate') => {
    if (!running) return;
    running = false;
    run('pg_ctl', ['stop', '-w', '-D', dataDir, '-m', mode]);
  };
  start();
  running = true;
  const base = `postgres://latchkey@127.0.0.1:${port}`;
  execFileSync(join(bin, 'psql'), [`${base}/postgres`, '-qAtc', 'CREATE DATABASE latchkey'], { stdio: 'pipe' });
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    try {
      stopNow('immediate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  process.once('exit', destroy);
  // A run stopped by a signal (a timeout, ^C) must not leave its cluster running: exit runs `destroy`.
  for (const [signal, n] of [['SIGHUP', 1], ['SIGINT', 2], ['SIGTERM', 15]] as const) process.once(signal, () => process.exit(128 + n));
  return {
    url: `${base}/latchkey`,
    socketUrl: `postgres://latchkey@/latchkey?host=${encodeURIComponent(dir)}&port=${port}`,
    port,
    dataDir,
    database: async (name) => {
      execFileSync(join(bin, 'psql'), [`${base}/postgres`, '-qAtc', `CREATE DATABASE "${name}"`], { stdio: 'pipe' });
      return `${base}/${name}`;
    },
    stop: () => stopNow('fast'),
    start: () => {
      if (running) return;
      start();
      running = true;
    },
    pids: () => {
      if (!running) return [];
      const postmaster = Number(execFileSync('head', ['-1', join(dataDir, 'postmaster.pid')]).toString().trim());
      const children = spawnSync('pgrep', ['-P', String(postmaster)]).stdout.toString().split('\n').filter(Boolean).map(Number);
      return [postmaster, ...children];
    },
    destroy,
  };
};
