import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

// argon2 hashes on libuv's thread pool, and every thread of it that takes a turn keeps a freed argon2 block in its
// malloc arena: the launcher sizes the pool to the argon2 pool (one thread per core) before libuv starts it.
const test = suite('bin/latchkey.cjs');
const launcher = new URL('../../../bin/latchkey.cjs', import.meta.url).pathname;

interface Started {
  readonly child: ChildProcess;
  readonly banner: string;
  readonly threads: number;
  readonly dataDir: string;
}

const serve = async (uvThreadpoolSize: string | undefined): Promise<Started> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-launcher-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LATCHKEY_DATA_DIR: dataDir, LATCHKEY_ADMIN_KEY: 'launcher-test-admin-key', LOG_LEVEL: 'warn', LATCHKEY_ARGON2_MEMORY_KIB: '64', LATCHKEY_ARGON2_ITERATIONS: '1' };
  delete env.UV_THREADPOOL_SIZE;
  if (uvThreadpoolSize !== undefined) env.UV_THREADPOOL_SIZE = uvThreadpoolSize;
  const child = spawn(process.execPath, [launcher, 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const banner = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no start within 30 s: ${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /latchkey listening on [^\n]*\n/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[0].trimEnd());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}: ${err}`));
    });
  });
  // The start line comes after the dummy hash: libuv's pool has started, and the pools are at their fixed size.
  return { child, banner, threads: readdirSync(`/proc/${child.pid}/task`).length, dataDir };
};

const stop = async ({ child, dataDir }: Started): Promise<void> => {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
};

test('libuv gets one thread per argon2 worker unless the operator set UV_THREADPOOL_SIZE', async () => {
  const cores = availableParallelism();
  const sized = await serve(undefined);
  const wider = await serve(String(cores + 3)).catch(async (err) => {
    await stop(sized);
    throw err;
  });
  try {
    assert.match(sized.banner, `argon2: ${cores} threads on a libuv pool of ${cores})`);
    assert.match(wider.banner, `argon2: ${cores} threads on a libuv pool of ${cores + 3})`);
    // The same server but for libuv's pool: exactly three threads more, so the launcher's size is the pool's.
    assert.is(wider.threads - sized.threads, 3, `${sized.threads} vs ${wider.threads} threads`);
  } finally {
    await Promise.all([stop(sized), stop(wider)]);
  }
});

test.run();
