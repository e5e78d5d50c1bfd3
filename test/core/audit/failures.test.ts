import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { failures, unknownUserKey } from '../../../core/audit/failures.js';
import { nameStreams } from '../../../core/audit/probe-stream.js';
import { buildHistory, t0 } from './audit-history-fixture.js';

const test = suite('audit failures');

test('by ip: counted failures per address (wrong passwords, the refusal while locked, the unknown user), first and last, dialects', async () => {
  const h = await buildHistory();
  const answer = await failures(h.log, { by: 'ip', range: {}, after: 0, limit: 100 });
  assert.equal(answer, {
    by: 'ip',
    rows: [
      { key: '203.0.113.66', failures: 7, first: t0 + 120_000, last: t0 + 240_000, dialects: ['appgate', 'oracle'] },
      { key: '192.0.2.10', failures: 1, first: t0 + 300_000, last: t0 + 300_000, dialects: ['native'] },
    ],
  });
});

test('by account: the canonical name, and an unknown name as the start of its HMAC key', async () => {
  const h = await buildHistory();
  const answer = await failures(h.log, { by: 'account', range: {}, after: 0, limit: 100 });
  const probeId = nameStreams(h.deps.digest, 'mallory')[0]!.slice('probe-'.length);
  assert.equal(answer.rows, [
    { key: 'alice', failures: 6, first: t0 + 120_000, last: t0 + 150_000, dialects: ['appgate', 'oracle'] },
    { key: 'bob', failures: 1, first: t0 + 300_000, last: t0 + 300_000, dialects: ['native'] },
    { key: unknownUserKey(probeId), failures: 1, first: t0 + 240_000, last: t0 + 240_000, dialects: ['oracle'] },
  ]);
  assert.is(unknownUserKey(probeId), `unknown:${probeId.slice(0, 12)}`);
  assert.is(unknownUserKey(probeId).length, 'unknown:'.length + 12);
});

test('a range counts only the failures in it', async () => {
  const h = await buildHistory();
  const answer = await failures(h.log, { by: 'ip', range: { since: t0 + 150_000, until: t0 + 300_000 }, after: 0, limit: 100 });
  assert.equal(answer.rows, [{ key: '203.0.113.66', failures: 2, first: t0 + 150_000, last: t0 + 240_000, dialects: ['appgate', 'oracle'] }]);
});

test('limit and after page the ranking; next only when more rows remain', async () => {
  const h = await buildHistory();
  const first = await failures(h.log, { by: 'account', range: {}, after: 0, limit: 2 });
  assert.equal(first.rows.map((r) => r.key), ['alice', 'bob']);
  assert.is(first.next, 2);
  const rest = await failures(h.log, { by: 'account', range: {}, after: 2, limit: 2 });
  assert.is(rest.rows.length, 1);
  assert.is(rest.next, undefined);
});

test.run();
