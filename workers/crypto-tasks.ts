/**
 * piscina tasks (docs/style.md §14): thin named functions over plain data, called as `pool.run(args, { name })`.
 * The argon2 binding runs its hash on libuv's process-wide thread pool even from here; what the worker gives
 * is admission control: a fixed number of tasks per worker at a time (crypto-pool.ts), behind a bounded queue.
 */
import type { MessagePort } from 'node:worker_threads';
import * as argon2 from 'argon2';
import { type TotpVerification, verifyTotp } from './verify-totp.js';
import { threadId } from './thread-id.js';

export interface HashTask {
  readonly password: string;
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}

export const hash = ({ password, memoryKiB, iterations, parallelism }: HashTask): Promise<string> =>
  argon2.hash(password, { type: argon2.argon2id, memoryCost: memoryKiB, timeCost: iterations, parallelism });

export interface VerifyTask {
  readonly phc: string;
  readonly password: string;
}

/** argon2 reads the algorithm and cost from the PHC string itself, so imported argon2i hashes verify too. */
export const verify = async ({ phc, password }: VerifyTask): Promise<boolean> => {
  try {
    return await argon2.verify(phc, password);
  } catch {
    return false;
  }
};

/** A task's result and how long it ran on the worker, so the pool can tell its queue wait from its run (metrics). */
export interface Timed<T> {
  readonly value: T;
  readonly runMs: number;
}

const timed = async <T>(work: () => Promise<T>): Promise<Timed<T>> => {
  const started = performance.now();
  const value = await work();
  return { value, runMs: performance.now() - started };
};

export const timedHash = (task: HashTask): Promise<Timed<string>> => timed(() => hash(task));
export const timedVerify = (task: VerifyTask): Promise<Timed<boolean>> => timed(() => verify(task));

/** A TOTP check sent straight to a worker over its lane's port, past piscina's task queue (totp-lanes.ts). */
export interface TotpRequest {
  readonly id: number;
  readonly check: TotpVerification;
}
/** `step` as verifyTotp returns it; `failed` when the check threw (a seed otplib cannot read), with no detail. */
export type TotpReply = { readonly id: number; readonly step: number | null } | { readonly id: number; readonly failed: true };

export interface ServeTotpTask {
  readonly port: MessagePort;
}

/**
 * Makes this worker answer TOTP checks arriving on `port` from now on, between its hashes: its JS thread idles
 * while libuv hashes. Returns at once with this thread's OS id, so the server can leave its priority alone. The seed
 * in clear reaches this thread in the message and goes no further: a failure is answered without its error.
 */
export const serveTotp = ({ port }: ServeTotpTask): number | null => {
  port.on('message', ({ id, check }: TotpRequest) => {
    let reply: TotpReply;
    try {
      reply = { id, step: verifyTotp(check) };
    } catch {
      reply = { id, failed: true };
    }
    port.postMessage(reply);
  });
  return threadId();
};
