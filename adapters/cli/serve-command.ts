import type { Config } from '../config.js';
import { startServer } from '../start-server.js';

/** libuv's thread pool as libuv reads UV_THREADPOOL_SIZE (atoi, then 1 to 1024); bin/latchkey.cjs sets it, 4 by default. */
const libuvPoolSize = (value = process.env.UV_THREADPOOL_SIZE): number => {
  if (value === undefined) return 4;
  const n = Number.parseInt(value, 10) || 0;
  return n === 0 ? 1 : n < 0 || n > 1024 ? 1024 : n;
};

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
