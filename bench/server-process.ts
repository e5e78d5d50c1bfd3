import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** The server's start line: its URL, data dir, argon2 threads and libuv pool. */
  readonly banner: string;
  /** Peak resident set size of the server so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  rssMiB(): number;
  /** CPU time the server has used so far, in ms: its main thread (the event loop) and all its threads. */
  cpuMs(): { main: number; all: number };
  metric(name: string): Promise<number>;
  stop(): Promise<void>;
}

const statusField = (pid: number, field: string): number => {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
};

/** utime + stime of one thread, in ms (fields 14 and 15 of /proc/PID/task/TID/stat, in clock ticks of 10 ms). */
const threadCpuMs = (pid: number, tid: string): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0; // a thread that ended between the listing and the read
  }
};

/** The real server, as a child process on an ephemeral port of 127.0.0.1 with its own data dir. */
export const startServerProcess = (cli: string, dataDir: string, adminKey: string, env: Record<string, string> = {}): Promise<ServerProcess> =>
  startProcess([cli, 'serve'], { PORT: '0', HOST: '127.0.0.1', LATCHKEY_DATA_DIR: dataDir, LATCHKEY_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn', ...env });

/** bench/floor-server.ts: HTTP and argon2 alone, every user's password checked against `phc`. */
export const startFloorServer = (phc: string): Promise<ServerProcess> =>
  startProcess([new URL('./floor-server.js', import.meta.url).pathname], { BENCH_FLOOR_PHC: phc });

/** A server that writes `latchkey listening on http://127.0.0.1:PORT…` to stderr once it listens. */
const startProcess = async (args: readonly string[], env: Record<string, string>): Promise<ServerProcess> => {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const banner = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /latchkey listening on http:\/\/127\.0\.0\.1:\d+[^\n]*\n/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[0].trimEnd());
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
  const url = /http:\/\/127\.0\.0\.1:\d+/.exec(banner)![0];
  const pid = child.pid!;
  return {
    url,
    child,
    banner,
    peakRssMiB: () => statusField(pid, 'VmHWM'),
    rssMiB: () => statusField(pid, 'VmRSS'),
    cpuMs: () => ({ main: threadCpuMs(pid, String(pid)), all: readdirSync(`/proc/${pid}/task`).reduce((n, tid) => n + threadCpuMs(pid, tid), 0) }),
    metric: async (name) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
      return m ? Number(m[1]) : NaN;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
};
