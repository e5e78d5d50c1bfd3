#!/usr/bin/env node
'use strict';
// The `latchkey` command: runs the compiled CLI (npm install builds it through the prepare script).
//
// argon2 hashes on libuv's process-wide thread pool, one hash per core at a time (the crypto pool's size,
// adapters/crypto/crypto-pool.ts). libuv's default of 4 threads on 2 cores let all 4 take turns, and glibc keeps
// each thread's freed 19 MiB argon2 block in that thread's malloc arena: ~36 MiB of RSS for nothing. libuv sizes its
// pool the first time anything uses it, and loading an ES module does (the loader reads files asynchronously), so
// this launcher is CommonJS: it runs first. An operator's own UV_THREADPOOL_SIZE wins.
const { availableParallelism } = require('node:os');

process.env.UV_THREADPOOL_SIZE ??= String(availableParallelism());
import('../dist/adapters/cli/main.js').catch((err) => {
  console.error(err?.code === 'ERR_MODULE_NOT_FOUND' ? 'latchkey is not built yet: run `npm run build`' : err);
  process.exit(1);
});
