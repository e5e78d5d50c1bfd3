import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { admit } from '../../../core/app/login/admit.js';
import { isDomainError } from '../../../core/errors.js';
import { engineInMemory, meta } from './engine-in-memory.js';

/** admit asks both budgets at once (core/app/login/admit.ts); a refusal by one must leave the other as it found it. */
const test = suite('admit: the address and account budgets');

const throttle = { perIp: { capacity: 2, perMinute: 2 }, perAccount: { capacity: 3, perMinute: 3 } };
const from = (ip: string) => ({ ...meta, ip });
const outcome = (p: Promise<{ kind: string }>) =>
  p.then(
    (a) => a.kind,
    (err: unknown) => (isDomainError(err) ? err.code : `not a DomainError: ${String(err)}`),
  );

test('an attempt the address budget refuses costs the account budget nothing', async () => {
  const { deps } = await engineInMemory({ throttle });
  // Two failures spend 192.0.2.1's budget (each against another name).
  for (const name of ['x', 'y']) {
    const a = await admit(deps, name, true, from('192.0.2.1'));
    assert.is(a.kind, 'admitted');
    if (a.kind === 'admitted') await a.settle('failure');
  }
  for (let i = 0; i < 10; i++) assert.is(await outcome(admit(deps, 'victim', true, from('192.0.2.1'))), 'throttled');
  // The victim's budget is whole: three failures from elsewhere are judged, the fourth is refused.
  for (let i = 0; i < 3; i++) {
    const a = await admit(deps, 'victim', true, from(`198.51.100.${i}`));
    assert.is(a.kind, 'admitted', `attempt ${i + 1} of the account's three`);
    if (a.kind === 'admitted') await a.settle('failure');
  }
  assert.is(await outcome(admit(deps, 'victim', true, from('198.51.100.9'))), 'refused');
});

test("an attempt the account budget refuses costs the address budget nothing; a success gives both tokens back", async () => {
  const { deps } = await engineInMemory({ throttle });
  for (let i = 0; i < 3; i++) {
    const a = await admit(deps, 'target', true, from(`203.0.113.${i}`));
    if (a.kind === 'admitted') await a.settle('failure');
  }
  for (let i = 0; i < 10; i++) assert.is(await outcome(admit(deps, 'target', true, from('192.0.2.7'))), 'refused');
  // 192.0.2.7 still has both of its tokens: two failures against other names are judged, then 429.
  for (const name of ['p', 'q']) {
    const a = await admit(deps, name, true, from('192.0.2.7'));
    assert.is(a.kind, 'admitted', name);
    if (a.kind === 'admitted') await a.settle('failure');
  }
  assert.is(await outcome(admit(deps, 'r', true, from('192.0.2.7'))), 'throttled');
  // Successes cost nothing: more of them than either budget holds, one after another.
  for (let i = 0; i < 5; i++) {
    const a = await admit(deps, 'happy', true, from('192.0.2.8'));
    assert.is(a.kind, 'admitted', `success ${i + 1}`);
    if (a.kind === 'admitted') await a.settle('success');
  }
});

test.run();
