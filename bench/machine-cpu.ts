import { readFileSync } from 'node:fs';

/** CPU time of the whole machine so far, summed over all cores, in ms (the `cpu` line of /proc/stat, 10 ms ticks). */
export interface MachineCpu {
  /** user + nice + system + irq + softirq: every process and the kernel's own work, the benchmark's included. */
  readonly busyMs: number;
  /** Time the hypervisor ran something else while a virtual core wanted to run. */
  readonly stealMs: number;
  /** Everything, idle and I/O wait included: the wall time of the interval × the cores. */
  readonly totalMs: number;
}

const tickMs = 10;

/** Parses the aggregate line of /proc/stat; all zeros where there is none (not Linux). */
export const parseProcStat = (text: string): MachineCpu => {
  const line = /^cpu\s+(.+)$/m.exec(text);
  if (!line) return { busyMs: 0, stealMs: 0, totalMs: 0 };
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already counted in user.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line[1]!.trim().split(/\s+/).map(Number);
  const busy = user + nice + system + irq + softirq;
  return { busyMs: busy * tickMs, stealMs: steal * tickMs, totalMs: (busy + idle + iowait + steal) * tickMs };
};

export const machineCpu = (): MachineCpu => {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return { busyMs: 0, stealMs: 0, totalMs: 0 };
  }
};

/**
 * What the rest of the machine did over an interval, given the CPU the benchmark accounts for itself (the server and
 * the load generator): the CPU of other processes and of the kernel's own threads, and steal, each as a share of
 * the interval's capacity (0–1). A stray process or a busy neighbour shows here instead of as a slow server.
 */
export const backgroundShare = (before: MachineCpu, after: MachineCpu, accountedMs: number): { readonly other: number; readonly steal: number } => {
  const total = after.totalMs - before.totalMs;
  if (total <= 0) return { other: 0, steal: 0 };
  return { other: Math.max(0, after.busyMs - before.busyMs - accountedMs) / total, steal: (after.stealMs - before.stealMs) / total };
};
