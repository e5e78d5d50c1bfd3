import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The lowest priority: hashing yields the CPU to the event loop whenever it has work. */
const hashingNice = 19;

/**
 * On 2 cores, two argon2 hashes keep both busy, and the event loop would wait for a scheduler slice behind them
 * (OTP steps and shed answers queued for milliseconds). argon2 runs on libuv's process-wide thread pool, whose
 * threads Node does not name, so every thread of the process but the main one and those in `keep` (the TOTP
 * lane, the log's writer: a login waits for its commit) is lowered to nice 19 — on Linux, setpriority on a thread
 * id applies to that thread only. Hashing throughput is unchanged (the cores stay busy); what the main thread
 * needs, it now gets first.
 * Returns how many threads were lowered; 0 where /proc is not there.
 */
export const lowerHashingPriority = (keep: readonly number[]): number => {
  let tids: number[];
  try {
    tids = readdirSync('/proc/self/task').map(Number);
  } catch {
    return 0;
  }
  let lowered = 0;
  for (const tid of tids) {
    if (tid === process.pid || keep.includes(tid)) continue;
    try {
      setPriority(tid, hashingNice);
      lowered++;
    } catch {
      // A thread that ended meanwhile, or a system that refuses: the server works, only less smoothly.
    }
  }
  return lowered;
};
