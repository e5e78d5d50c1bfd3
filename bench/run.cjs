'use strict';
// `npm run bench`: the raw argon2 limit is measured in this process, through a pool of the server's size, so
// libuv's pool here must be the server's too (one thread per core, as bin/latchkey.cjs sets it before anything
// starts libuv; the crypto pool keeps one more hash per worker waiting in libuv's queue). An operator's own
// UV_THREADPOOL_SIZE wins, as it does for the server.
const { availableParallelism } = require('node:os');

process.env.UV_THREADPOOL_SIZE ??= String(availableParallelism());
import('../dist/bench/main.js').catch((err) => {
  console.error(err);
  process.exit(1);
});
