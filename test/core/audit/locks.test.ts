import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { locks } from '../../../core/audit/locks.js';
import { buildHistory, t0 } from './audit-history-fixture.js';

const test = suite('audit locks');

test('the lock with what triggered it (the 5th failure: its dialect, address, request), and the admin unlock', async () => {
  const h = await buildHistory();
  const { rows, next } = await locks(h.log, { range: {}, after: 0, limit: 100 });
  assert.is(next, undefined);
  assert.equal(
    rows.map(({ seq: _, ...r }) => r),
    [
      { at: t0 + 120_000, username: 'alice', type: 'locked', until: t0 + 180_000, failures: 5, by: { dialect: 'appgate', ip: '203.0.113.66', requestId: 'req-attacker-2' } },
      { at: t0 + 360_000, username: 'alice', type: 'unlocked', failures: 0, by: { dialect: 'admin', ip: '192.0.2.1', requestId: 'req-admin' } },
    ],
  );
});

test('a range, and pages by seq', async () => {
  const h = await buildHistory();
  assert.equal((await locks(h.log, { range: { until: t0 + 360_000 }, after: 0, limit: 100 })).rows.map((r) => r.type), ['locked']);
  assert.equal((await locks(h.log, { range: { since: t0 + 360_001 }, after: 0, limit: 100 })).rows, []);
  const first = await locks(h.log, { range: {}, after: 0, limit: 1 });
  assert.equal(first.rows.map((r) => r.type), ['locked']);
  assert.is(first.next, first.rows[0]!.seq);
  const second = await locks(h.log, { range: {}, after: first.next!, limit: 1 });
  assert.equal(second.rows.map((r) => r.type), ['unlocked']);
  assert.is(second.next, undefined);
});

test.run();
