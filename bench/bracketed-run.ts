import type { BenchClient } from './http-client.js';
import type { UserRing } from './bench-users.js';
import { type LoadResult, loginLoad } from './login-load.js';
import { backgroundShare, machineCpu } from './machine-cpu.js';
import type { ServerProcess } from './server-process.js';
import { median, round } from './stats.js';

/**
 * CPU per complete login, from /proc (10 ms ticks, so read over whole runs): the servers' event loops, the rest of
 * the servers (argon2 and the other threads), and this process — the load generator shares the 2 cores.
 */
export interface CpuPerLogin {
  readonly serverLoop: number;
  readonly serverOther: number;
  readonly client: number;
}
type ServerCpu = ReturnType<ServerProcess['cpuMs']>;
const perLogin = (before: ServerCpu, after: ServerCpu, client: NodeJS.CpuUsage, logins: number): CpuPerLogin => {
  const loop = after.main - before.main;
  return { serverLoop: loop / logins, serverOther: (after.all - before.all - loop) / logins, client: (client.user + client.system) / 1000 / logins };
};

/**
 * The CPU the servers (none before they start) and this process use from now until the returned reading, and what
 * the rest of the machine took meanwhile (`accountedMs` more for processes measured apart, such as PostgreSQL's).
 */
export const cpuMeter = (servers: readonly ServerProcess[]) => {
  const serverCpu = (): ServerCpu =>
    servers.reduce(
      (n, s) => {
        const c = s.cpuMs();
        return { main: n.main + c.main, all: n.all + c.all };
      },
      { main: 0, all: 0 },
    );
  const machineFrom = machineCpu();
  const serverFrom = serverCpu();
  const clientFrom = process.cpuUsage();
  return (accountedMs = 0) => {
    const serverTo = serverCpu();
    const client = process.cpuUsage(clientFrom);
    const ownMs = serverTo.all - serverFrom.all + (client.user + client.system) / 1000;
    return { serverFrom, serverTo, client, background: backgroundShare(machineFrom, machineCpu(), ownMs + accountedMs) };
  };
};
export const percent = (share: number) => `${round(share * 100, 1)} %`;

/** One load run and what it cost, its ratio dividing by the raw limit measured just before and just after it. */
export interface BracketedRun extends LoadResult {
  readonly rawPerSecond: number;
  readonly rawBracket: [number, number];
  readonly ratioToRaw: number;
  readonly cpuMsPerLogin: CpuPerLogin;
  readonly background: { other: number; steal: number };
}

/** What a run reads from the server right before and right after its load (none for the floor). */
export interface RunProbe<Extra> {
  start(): Promise<void>;
  end(): Promise<Extra>;
  /** CPU (ms) the probe measured apart since its start (PostgreSQL's processes), kept out of "other processes". */
  accountedMs?(): number;
}
export const noProbe: RunProbe<object> = { start: async () => {}, end: async () => ({}) };

/**
 * This machine drifts by 10-30 % over minutes: each load run is bracketed by raw measurements taken just before and
 * just after it (the servers idle), and its ratio divides by their mean. (With the raw limit read before each run
 * only, per-run ratios at one concurrency spread from 0.85 to 1.04 in one run.) `probe` reads the servers right at
 * the load's edges, inside the bracket, so the idle seconds of the raw runs stay out of its figures.
 */
export const bracketedRun = async <Extra extends object>(
  servers: readonly ServerProcess[],
  load: () => Promise<LoadResult>,
  rawLimit: (seconds: number) => Promise<number>,
  probe: RunProbe<Extra>,
): Promise<BracketedRun & Extra> => {
  const rawBefore = await rawLimit(3);
  await probe.start();
  const meter = cpuMeter(servers);
  const r = await load();
  const cpu = meter(probe.accountedMs?.() ?? 0);
  const extra = await probe.end();
  const rawAfter = await rawLimit(3);
  const rawPerSecond = (rawBefore + rawAfter) / 2;
  return {
    ...r,
    ...extra,
    rawPerSecond,
    rawBracket: [rawBefore, rawAfter],
    ratioToRaw: r.loginsPerSecond / rawPerSecond,
    cpuMsPerLogin: perLogin(cpu.serverFrom, cpu.serverTo, cpu.client, r.logins),
    background: cpu.background,
  };
};

/** main.ts's load: `concurrency` clients on one server for `seconds`. */
export const oneServerLoad = (client: BenchClient, ring: UserRing, concurrency: number, seconds: number) => () => loginLoad(client, ring, concurrency, seconds);

/** Medians over runs (the ratio is the median of the per-run ratios); failures and shed answers summed. */
export const summarize = (perRun: readonly BracketedRun[]) => ({
  loginsPerSecond: median(perRun.map((r) => r.loginsPerSecond)),
  ratioToRaw: median(perRun.map((r) => r.ratioToRaw)),
  failures: perRun.reduce((n, r) => n + r.failures, 0),
  shed: perRun.reduce((n, r) => n + r.shed, 0),
  cpuMsPerLogin: {
    serverLoop: median(perRun.map((r) => r.cpuMsPerLogin.serverLoop)),
    serverOther: median(perRun.map((r) => r.cpuMsPerLogin.serverOther)),
    client: median(perRun.map((r) => r.cpuMsPerLogin.client)),
  },
  background: { other: median(perRun.map((r) => r.background.other)), steal: median(perRun.map((r) => r.background.steal)) },
});
