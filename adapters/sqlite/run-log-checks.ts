import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { workerExecArgv } from '../worker-exec-argv.js';

const filename = new URL('./log-check-tasks.js', import.meta.url).href;

/**
 * Runs one task per share of the log, each in a worker of its own (log-check-tasks.ts), and returns the results
 * in share order. `onProgress` gets the rows done over all shares so far.
 */
export const runLogChecks = async <Share, Result>(
  task: 'replayPartition' | 'verifyRange',
  path: string,
  shares: readonly Share[],
  onProgress?: (done: number) => void,
): Promise<Result[]> => {
  const pool = new Piscina({ filename, execArgv: [...workerExecArgv], minThreads: shares.length, maxThreads: shares.length, idleTimeout: 0 });
  const done = shares.map(() => 0);
  try {
    return await Promise.all(
      shares.map((share, i) => {
        const { port1, port2 } = new MessageChannel();
        port1.on('message', (n: number) => {
          done[i] = n;
          onProgress?.(done.reduce((a, b) => a + b, 0));
        });
        return (pool.run({ path, share, port: port2 }, { name: task, transferList: [port2] }) as Promise<Result>).finally(() => port1.close());
      }),
    );
  } finally {
    await pool.destroy();
  }
};
