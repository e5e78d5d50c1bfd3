import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

// Node checks an explicit worker execArgv and refuses V8 and per-process options in it; the pools pass one (to turn
// require(esm) off), so whatever the operator starts node with must still let every pool start.
const test = suite('worker execArgv');
const dist = new URL('../../', import.meta.url).pathname;
const cli = join(dist, 'adapters/cli/main.js');

test('V8 and per-process flags stay with the process; the rest reaches the workers, and a pool hashes', () => {
  const script = `
    const { workerExecArgv } = await import(${JSON.stringify(join(dist, 'adapters/worker-exec-argv.js'))});
    const { createCryptoPool } = await import(${JSON.stringify(join(dist, 'adapters/crypto/crypto-pool.js'))});
    const pool = createCryptoPool({ threads: 1 });
    const phc = await pool.hash({ password: 'p', memoryKiB: 64, iterations: 1, parallelism: 1 });
    process.stdout.write(JSON.stringify({ workerExecArgv, ok: await pool.verify({ phc, password: 'p' }) }));
    await pool.close();`;
  const run = spawnSync(process.execPath, ['--max-old-space-size=256', '--stack-size=900', '--enable-source-maps', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.is(run.status, 0, run.stderr);
  const { workerExecArgv, ok } = JSON.parse(run.stdout) as { workerExecArgv: string[]; ok: boolean };
  assert.ok(ok);
  assert.ok(workerExecArgv.includes('--enable-source-maps'), JSON.stringify(workerExecArgv));
  assert.ok(workerExecArgv.includes('--no-experimental-require-module'));
  assert.not.ok(workerExecArgv.some((a) => a.startsWith('--max-old-space-size') || a.startsWith('--stack-size')), JSON.stringify(workerExecArgv));
});

test('the server starts under `node --max-old-space-size=… serve`', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-execargv-'));
  const child = spawn(process.execPath, ['--max-old-space-size=512', cli, 'serve'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LATCHKEY_DATA_DIR: dataDir, LATCHKEY_ADMIN_KEY: 'execargv-test-admin-key', LOG_LEVEL: 'warn', LATCHKEY_ARGON2_MEMORY_KIB: '64', LATCHKEY_ARGON2_ITERATIONS: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    const outcome = await new Promise<string>((resolve) => {
      let err = '';
      const timer = setTimeout(() => resolve(`no start within 30 s: ${err}`), 30_000);
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(err)) {
          clearTimeout(timer);
          resolve('listening');
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(`exited with ${code}: ${err}`);
      });
    });
    assert.is(outcome, 'listening');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
