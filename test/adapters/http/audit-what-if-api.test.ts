import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type TestServer, createUser, startTestServer } from '../../helpers/test-server.js';

/**
 * POST /v1/admin/audit/what-if end to end. Needs the real core/audit/what-if.ts: on the audit branch, whose file is a
 * placeholder that throws, these fail (500) until the what-if fold is merged.
 */
const test = suite<{ s: TestServer }>('/v1/admin/audit/what-if (API, end to end)');
test.before(async (ctx) => {
  const s = await startTestServer();
  ctx.s = s;
  await createUser(s, { username: 'dave', password: 'dave-password-1' });
  for (let i = 0; i < 4; i++) await s.call('POST', '/v1/login', { json: { username: 'dave', password: 'wrong-password' } });
});
test.after(async ({ s }) => s.close());

test('a lower threshold: the docs/api.md answer shape, the policies echoed, dave locked under it and not in fact', async ({ s }) => {
  const r = await s.admin('POST', '/v1/admin/audit/what-if', { json: { lockout: { threshold: 3, windowMs: 3_600_000, baseMs: 60_000, maxMs: 900_000, hardLockAfter: 100 } } });
  assert.is(r.status, 200, r.text);
  assert.equal(r.body.policy, { threshold: 3, windowMs: 3_600_000, baseLockMs: 60_000, maxLockMs: 900_000, hardLockAfter: 100 });
  assert.is(r.body.actual.threshold, 5);
  assert.equal(Object.keys(r.body.summary).sort(), ['accountsLocked', 'accountsLockedActual', 'failuresPrevented', 'successesRefused']);
  assert.is(r.body.summary.accountsLocked, 1);
  assert.is(r.body.summary.accountsLockedActual, 0);
  const dave = r.body.accounts.find((a: any) => a.username === 'dave');
  assert.ok(dave, r.text);
  assert.is(dave.lockedAt.length, 1);
  assert.is(r.body.chain.ok, true);
});

test.run();
