import { rmSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type RealLog, latchkey, makeRealLog } from './audit-cli-fixture.js';

/**
 * `latchkey audit what-if` end to end. Needs the real core/audit/what-if.ts: on the audit branch, whose file is a
 * placeholder that throws, these fail until the what-if fold is merged. (Its flags are checked in audit-command.test.ts.)
 */
const test = suite<{ log: RealLog }>('latchkey audit what-if (CLI, end to end)');
test.before(async (ctx) => {
  ctx.log = await makeRealLog();
});
test.after(({ log }) => rmSync(log.dataDir, { recursive: true, force: true }));

test('--json: the chain line, then the docs/api.md answer; bob (5 failures, locked) is locked under a threshold of 3 too', ({ log }) => {
  const r = latchkey(log.dataDir, 'audit', 'what-if', '--lockout-threshold', '3', '--lockout-window', '1h', '--json');
  assert.is(r.status, 0, r.stderr);
  const [chain, result] = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  assert.is(chain!.chain.ok, true);
  assert.equal(result!.policy.threshold, 3);
  assert.equal(result!.policy.windowMs, 3_600_000);
  assert.is(result!.actual.threshold, 5);
  assert.is(result!.summary.accountsLockedActual, 1);
  assert.ok(result!.summary.accountsLocked >= 1);
});

test('the human answer: the summary, the accounts that differ, and the limit stated', ({ log }) => {
  const r = latchkey(log.dataDir, 'audit', 'what-if', '--lockout-threshold', '2');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^hash chain: ok/);
  assert.match(r.stdout, /accounts locked: \d+ \(actual: 1\)/);
  assert.match(r.stdout, /alice/);
  assert.match(r.stdout, /limit: after an account's first difference/);
});

test.run();
