/** libuv's thread pool as libuv reads UV_THREADPOOL_SIZE (atoi, then 1 to 1024); bin/latchkey.cjs sets it, 4 by default. */
export const libuvPoolSize = (value = process.env.UV_THREADPOOL_SIZE): number => {
  if (value === undefined) return 4;
  const n = Number.parseInt(value, 10) || 0;
  return n === 0 ? 1 : n < 0 || n > 1024 ? 1024 : n;
};
