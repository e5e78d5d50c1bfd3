/**
 * piscina tasks (docs/style.md §14): thin named functions over plain data, called as `pool.run(args, { name })`.
 * The argon2 binding runs its hash on libuv's process-wide thread pool even from here; what the worker gives
 * is admission control: a fixed number of tasks per worker at a time (crypto-pool.ts), behind a bounded queue.
 */
import * as argon2 from 'argon2';

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
