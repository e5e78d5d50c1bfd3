import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The lowest nice value: what every system honours, and what is left where SCHED_IDLE cannot be set. */
const hashingNice = 19;

/**
 * sched(7) SCHED_IDLE for one thread, through util-linux's `chrt` (Node has no sched_setscheduler; lowering a
 * policy needs no privilege). Where chrt is missing or refuses, the thread stays at nice 19.
 */
const idlePolicy = (tid: number): Promise<void> =>
  new Promise((resolve) => {
    execFile('chrt', ['--idle', '--pid', '0', String(tid)], { timeout: 5_000 }, () => resolve());
  });

/**
 * On 2 cores, two argon2 hashes keep both busy, and the event loop would wait for a scheduler slice behind them
 * (OTP steps and shed answers queued for milliseconds). argon2 runs on libuv's process-wide thread pool, whose
 * threads Node does not name, so every thread of the process but the main one and those in `keep` (the log's
 * writer: a login waits for its commit) is lowered — on Linux, setpriority and sched_setscheduler
 * on a thread id apply to that thread only. Nice 19 alone is not enough: the kernel's EEVDF scheduler lets a
 * thread that has just been given the CPU keep it for its slice, nice 19 or not, so a request could wait a
 * millisecond or more before the loop ran; a SCHED_IDLE thread is preempted as soon as any other thread wakes
 * (the loop, the writer, and the clients on the same machine alike). Hashing throughput is unchanged: the cores
 * stay busy whenever nothing else needs them. Like nice 19, SCHED_IDLE starves hashing while other processes
 * keep both cores busy.
 * Returns how many threads were lowered; 0 where /proc is not there.
 */
export const lowerHashingPriority = async (keep: readonly number[]): Promise<number> => {
  let tids: number[];
  try {
    tids = readdirSync('/proc/self/task').map(Number);
  } catch {
    return 0;
  }
  const lowered: number[] = [];
  for (const tid of tids) {
    if (tid === process.pid || keep.includes(tid)) continue;
    try {
      setPriority(tid, hashingNice);
      lowered.push(tid);
    } catch {
      // A thread that ended meanwhile, or a system that refuses: the server works, only less smoothly.
    }
  }
  await Promise.all(lowered.map(idlePolicy));
  return lowered.length;
};
