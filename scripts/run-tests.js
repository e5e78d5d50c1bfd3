#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with uvu, one file per process so a
// crash or a leaked handle in one file cannot take the others down, and ends with the
// "N passed, N failed" line CI reads.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../dist/test/', import.meta.url).pathname;
const filter = process.argv[2] ? new RegExp(process.argv[2]) : null;
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js') && (!filter || filter.test(p))) files.push(p);
  }
};
walk(root);

const run = (file) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { out += d; process.stderr.write(d); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const passed = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? 0);
      // A file that crashed before uvu printed its totals counts as one failure.
      const failed = total > 0 ? total - passed : code === 0 ? 0 : 1;
      resolve({ file, passed, failed: code !== 0 && failed === 0 ? 1 : failed });
    });
  });

let passed = 0;
let failed = 0;
const failedFiles = [];
for (const file of files) {
  console.log(`\n# ${relative(root, file)}`);
  const r = await run(file);
  passed += r.passed;
  failed += r.failed;
  if (r.failed > 0) failedFiles.push(relative(root, file));
}
if (failedFiles.length) console.log(`\nfailed files: ${failedFiles.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && files.length > 0 ? 0 : 1);
