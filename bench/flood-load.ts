import { spawn } from 'node:child_process';
import type { UserRing } from './bench-users.js';
import type { FloodTally } from './flood-client.js';
import { BenchClient } from './http-client.js';
import { type LoadResult, loginLoad } from './login-load.js';

/** `count` loopback addresses from 127.0.0.`first` on: distinct client addresses without a proxy (Linux routes 127/8 to lo). */
export const loopbackAddresses = (count: number, first = 2): string[] =>
  Array.from({ length: count }, (_, i) => first - 1 + i).map((n) => `127.0.${Math.floor(n / 254)}.${(n % 254) + 1}`);

/** Starts bench/flood-client.js in its own process; resolves with its tally once it has flooded `seconds`. */
export const startFlood = (url: string, address: string, clients: number, seconds: number): Promise<FloodTally> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [new URL('./flood-client.js', import.meta.url).pathname, url, address, String(clients), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as FloodTally) : reject(new Error(`flood client exited with ${code}`))));
  });

export interface FloodRun {
  readonly quiet: LoadResult;
  readonly flooded: LoadResult;
  readonly flood: FloodTally;
  /** Correct logins/s of the other addresses under the flood ÷ without it, measured back to back. */
  readonly goodputRatio: number;
}

/**
 * Correct logins from `goodClients` clients on other addresses, without and then with a flood of `floodClients`
 * from 127.0.0.1 ignoring Retry-After (issue 22, part 2): the goodput each time, and what the flood was answered.
 */
export const floodRun = async (url: string, ring: UserRing, goodClients: number, floodClients: number, seconds: number): Promise<FloodRun> => {
  const good = new BenchClient(url, goodClients, loopbackAddresses(goodClients));
  try {
    const quiet = await loginLoad(good, ring, goodClients, seconds);
    const flooding = startFlood(url, '127.0.0.1', floodClients, seconds + 2);
    // The flood's process starts and saturates its budget first; the measured window lies inside its run.
    await new Promise((r) => setTimeout(r, 1000));
    const flooded = await loginLoad(good, ring, goodClients, seconds);
    const flood = await flooding;
    return { quiet, flooded, flood, goodputRatio: flooded.loginsPerSecond / quiet.loginsPerSecond };
  } finally {
    good.close();
  }
};
