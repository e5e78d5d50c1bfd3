import { BenchClient } from './http-client.js';

/**
 * A flood from one address that ignores Retry-After (issue 22): `clients` keep-alive connections from `address`,
 * each sending a wrong password step the moment the previous answer arrives, for `seconds`. Run as its own process
 * (bench/flood-load.ts) so that its event loop does not delay the measured clients'; prints its tally as JSON.
 */
export interface FloodTally {
  readonly requests: number;
  /** Answers by status; `error` counts requests the server ended without an answer (a closed connection). */
  readonly statuses: Record<string, number>;
  readonly perSecond: number;
}

export const flood = async (url: string, address: string, clients: number, seconds: number): Promise<FloodTally> => {
  const client = new BenchClient(url, clients, address);
  const statuses: Record<string, number> = {};
  let requests = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const loop = async (i: number) => {
    while (performance.now() < deadline) {
      requests++;
      const status = await client.call('POST', '/v1/login', { username: `flood-${i}@example.com`, password: 'flooded-password' }).then(
        (a) => String(a.status),
        () => 'error',
      );
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => loop(i)));
  client.close();
  return { requests, statuses, perSecond: requests / ((performance.now() - started) / 1000) };
};

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const [url, address, clients, seconds] = process.argv.slice(2);
  flood(url!, address!, Number(clients), Number(seconds)).then(
    (t) => process.stdout.write(`${JSON.stringify(t)}\n`),
    (err: unknown) => {
      process.stderr.write(`flood failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
}
