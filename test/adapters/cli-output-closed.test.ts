import { spawn } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const test = suite('latchkey CLI: a reader that goes away');
const cli = new URL('../../adapters/cli/main.js', import.meta.url).pathname;

test('`latchkey help | head -0`: the closed pipe ends the command quietly, exit 0, no EPIPE trace', async () => {
  const child = spawn(process.execPath, [cli, 'help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Close the read end before the CLI has loaded: its first write meets a pipe with no reader.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  assert.is(stderr, '', stderr);
  assert.is(code, 0);
});

test.run();
