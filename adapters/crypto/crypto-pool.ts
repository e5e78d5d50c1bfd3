import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { DomainError } from '../../core/errors.js';
import { workerExecArgv } from '../worker-exec-argv.js';
import { lowerHashingPriority } from './lower-hashing-priority.js';
import { TotpLanes } from './totp-lanes.js';
import type { TotpVerification } from '../../workers/verify-totp.js';
import type { HashTask, Timed, VerifyTask } from '../../workers/crypto-tasks.js';

export interface CryptoPoolOptions {
  /** argon2 workers; default one per core (each argon2id at p=1 keeps one core busy). */
  readonly threads?: number;
  /** argon2 tasks allowed to wait; beyond it a call fails at once with DomainError('overloaded'). */
  readonly maxQueue?: number;
  /** Each argon2 task's wait in the queue and run on its worker, in seconds (the /metrics histograms). */
  readonly observeArgon2?: (task: 'hash' | 'verify', waitSeconds: number, runSeconds: number) => void;
  /** Each TOTP check's time, in seconds. */
  readonly observeTotp?: (seconds: number) => void;
}

export interface CryptoPoolStats {
  readonly argon2Threads: number;
  readonly argon2Queued: number;
  readonly argon2MaxQueue: number;
  /** Workers answering TOTP checks past the queue (totp-lanes.ts). */
  readonly totpLanes: number;
}

export interface CryptoPool {
  hash(task: HashTask): Promise<string>;
  verify(task: VerifyTask): Promise<boolean>;
  /** The step the code matches (verify-totp.ts), checked on a worker without waiting behind the hashes. */
  verifyTotp(check: TotpVerification): Promise<number | null>;
  stats(): CryptoPoolStats;
  /**
   * Lets the event loop, the workers' JS threads (which answer TOTP checks) and the threads in `keep` (the log's
   * writer) preempt hashing (see
   * lowerHashingPriority); call once the pool is warm.
   */
  lowerHashingPriority(keep?: readonly number[]): Promise<number>;
  close(): Promise<void>;
}

const filename = new URL('../../workers/crypto-tasks.js', import.meta.url).href;

/** The workers hold a few strings at a time: small heaps keep each isolate's share of the RSS small. */
export const workerHeapLimits = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 48 };

/**
 * Hashes handed to each worker at once. argon2 runs on libuv's pool (one thread per core, bin/latchkey.cjs), so a
 * worker's second hash waits in libuv's queue and starts the moment the first ends. With one, a core sat idle from
 * the end of a hash until the event loop had read the result and posted the next task, a wait that grows with
 * every request the loop is serving: the machine was 1.9–2.0 % idle under a 16-client login load, 0.7–0.9 % with
 * two (/proc/stat over 10 s).
 */
export const hashesPerWorker = 2;

/** Queue bound from the pool: ~16 hashes per worker is about half a second of waiting at the default cost. */
export const defaultMaxQueue = (threads: number): number => threads * 16;

const shed = (err: unknown): never => {
  if (err instanceof Error && /queue is at limit/i.test(err.message)) throw new DomainError('overloaded', 'the server is busy', 1);
  throw err;
};

/**
 * Crypto off the event loop (docs/design.md "Crypto off the event loop"): a pool of one worker per core with a bounded
 * queue for argon2. TOTP is not queued there: each worker also holds a lane (totp-lanes.ts), a port on which its JS
 * thread — idle while libuv hashes — answers code checks as they come, so a check never waits behind queued hashes.
 * piscina's workers block in Atomics.wait between tasks by default, which would leave a lane unanswered while the
 * pool is idle: `atomics: 'async'` keeps their event loops running.
 */
export const createCryptoPool = (options: CryptoPoolOptions = {}): CryptoPool => {
  const threads = options.threads ?? availableParallelism();
  const maxQueue = options.maxQueue ?? defaultMaxQueue(threads);
  // recordTiming off: piscina's own histograms (HDR, in ms) cost a record per task and export nothing; `run` times a task for /metrics.
  const argon2 = new Piscina({ filename, execArgv: [...workerExecArgv], minThreads: threads, maxThreads: threads, maxQueue, concurrentTasksPerWorker: hashesPerWorker, idleTimeout: Number.POSITIVE_INFINITY, resourceLimits: workerHeapLimits, recordTiming: false, atomics: 'async' });
  const { observeArgon2 = () => {}, observeTotp = () => {} } = options;
  /** Two clock reads and one message field per hash: the run is timed on the worker, the rest is the wait. */
  const run = async <T>(task: HashTask | VerifyTask, name: 'hash' | 'verify'): Promise<T> => {
    const queued = performance.now();
    const { value, runMs } = (await argon2.run(task, { name: name === 'hash' ? 'timedHash' : 'timedVerify' }).catch(shed)) as Timed<T>;
    const totalMs = performance.now() - queued;
    observeArgon2(name, Math.max(0, totalMs - runMs) / 1000, runMs / 1000);
    return value;
  };
  // Opening a lane is a task: behind a full queue (only while replacing a worker that ended) it is shed like a hash.
  const totp = new TotpLanes((task, transferList) => argon2.run(task, { name: 'serveTotp', transferList }).catch(shed) as Promise<number | null>, threads);
  return {
    hash: (task) => run<string>(task, 'hash'),
    verify: (task) => run<boolean>(task, 'verify'),
    verifyTotp: async (check) => {
      const started = performance.now();
      const step = await totp.verify(check);
      observeTotp((performance.now() - started) / 1000);
      return step;
    },
    stats: () => ({ argon2Threads: threads, argon2Queued: argon2.queueSize, argon2MaxQueue: maxQueue, totpLanes: totp.size() }),
    lowerHashingPriority: async (keep = []) => lowerHashingPriority([...keep, ...(await totp.threads().catch(() => []))]),
    close: async () => {
      totp.close();
      await argon2.destroy();
    },
  };
};
