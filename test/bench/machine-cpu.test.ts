import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { backgroundShare, machineCpu, parseProcStat } from '../../bench/machine-cpu.js';

const test = suite('bench: machine CPU from /proc/stat');

// Linux's format (proc(5)): the aggregate line, then one per core; values in ticks of 10 ms.
const stat = (user: number, nice: number, system: number, idle: number, steal: number) =>
  `cpu  ${user} ${nice} ${system} ${idle} 7 2 3 ${steal} 50 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 12345\n`;

test('busy is user + nice + system + irq + softirq; guest is not counted twice; total adds idle, iowait and steal', () => {
  assert.equal(parseProcStat(stat(100, 20, 30, 400, 5)), { busyMs: (100 + 20 + 30 + 2 + 3) * 10, stealMs: 50, totalMs: (155 + 400 + 7 + 5) * 10 });
});

test('a text without the aggregate line reads as zeros, not NaN', () => {
  assert.equal(parseProcStat('cpu0 1 2 3\n'), { busyMs: 0, stealMs: 0, totalMs: 0 });
  assert.equal(backgroundShare(parseProcStat(''), parseProcStat(''), 0), { other: 0, steal: 0 });
});

test("other processes' share is the machine's busy time less what the benchmark accounts for, over the capacity", () => {
  const before = parseProcStat(stat(1000, 0, 0, 1000, 0));
  // 2 cores × 1 s = 2000 ms of capacity: 1500 ms busy, of which the server and client account for 1200, 100 stolen.
  const after = parseProcStat(stat(1150, 0, 0, 1040, 10));
  const share = backgroundShare(before, after, 1200);
  assert.is(Math.round(share.other * 1000) / 1000, 0.15);
  assert.is(share.steal, 0.05);
  // Accounting for more than the machine used (tick rounding) is no background at all, never negative.
  assert.is(backgroundShare(before, after, 5000).other, 0);
});

test('on this machine the live reading agrees with /proc/stat and moves forward', () => {
  const text = readFileSync('/proc/stat', 'utf8');
  const a = machineCpu();
  assert.ok(a.totalMs >= parseProcStat(text).totalMs && a.totalMs > 0, 'read from the live file');
  const spin = performance.now() + 50;
  while (performance.now() < spin);
  const b = machineCpu();
  assert.ok(b.busyMs > a.busyMs, 'a 50 ms spin shows as busy time');
  assert.ok(b.totalMs > a.totalMs);
});

test.run();
