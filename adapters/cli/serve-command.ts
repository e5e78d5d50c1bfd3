import type { Config } from '../config.js';
import { libuvPoolSize } from '../libuv-pool-size.js';
import { startServer } from '../start-server.js';

/** Serves until SIGINT/SIGTERM, then closes the server, the pools and the database cleanly. Returns -1: keep running. */
export const serveCommand = async (config: Config): Promise<number> => {
  const running = await startServer(config);
  if (running.adminKeyCreated) {
    process.stderr.write(`\nA new admin key was generated into ${config.dataDir}/admin.key (shown once):\n  ${running.adminKey}\n\n`);
  }
  process.stderr.write(`latchkey listening on ${running.url} (data: ${config.dataDir}; argon2: ${running.argon2Threads} threads on a libuv pool of ${libuvPoolSize()})\n`);
  const stop = (signal: string) => {
    process.stderr.write(`${signal}: shutting down\n`);
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return -1;
};
