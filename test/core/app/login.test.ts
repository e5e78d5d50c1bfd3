import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InMemoryEventStore } from '../../../adapters/memory/in-memory-event-store.js';
import { DomainError } from '../../../core/errors.js';
import type { AppendRequest } from '../../../core/ports/event-store.js';
import { oathtool } from '../../helpers/oathtool.js';
import { engineInMemory, meta } from './engine-in-memory.js';

/** The login rules through the application service alone: in-memory store, a test clock, the real crypto. */
const test = suite('login (application service)');

const password = 'correct horse battery staple';
const minute = 60_000;

const withTotpUser = async (engine: Awaited<ReturnType<typeof engineInMemory>>, username = 'alice') => {
  await engine.latchkey.registerUser({ username, password }, meta);
  const { secret } = await engine.latchkey.enrolTotp(username, meta);
  assert.ok(await engine.latchkey.confirmTotp(username, oathtool(secret, engine.clock.now()), meta));
  engine.clock.advance(30_000);
  return secret;
};

test('password and code in one step: a session, and the attempt in the log', async () => {
  const engine = await engineInMemory();
  const secret = await withTotpUser(engine);
  const result = await engine.latchkey.login({ username: 'Alice', password, otp: oathtool(secret, engine.clock.now()), secondFactor: 'now' }, meta);
  assert.is(result.kind, 'authenticated');
  assert.equal((await engine.types()).slice(-3), ['OtpAccepted', 'LoginSucceeded', 'SessionIssued']);
  const session = result.kind === 'authenticated' ? await engine.latchkey.authenticate(result.token.accessToken) : null;
  assert.is(session?.user.username, 'alice');
});

test('five wrong passwords lock for the base lock; one millisecond before its end the right one is refused, at its end it works', async () => {
  const engine = await engineInMemory();
  const secret = await withTotpUser(engine);
  for (let i = 0; i < 5; i++) assert.is((await engine.latchkey.login({ username: 'alice', password: 'wrong password', secondFactor: 'later' }, meta)).kind, 'rejected');
  const types = await engine.types();
  assert.is(types.filter((t) => t === 'PasswordRejected').length, 5);
  assert.is(types.at(-1), 'AccountLocked');
  engine.clock.advance(minute - 1);
  const early = await engine.latchkey.login({ username: 'alice', password, otp: oathtool(secret, engine.clock.now()), secondFactor: 'now' }, meta);
  assert.is(early.kind, 'rejected');
  assert.is((await engine.types()).at(-1), 'LoginRefused');
  engine.clock.advance(1);
  assert.is((await engine.latchkey.login({ username: 'alice', password, secondFactor: 'later' }, meta)).kind, 'mfa_required');
});

test('an unknown name costs a probe event under its HMAC, never the name', async () => {
  const engine = await engineInMemory();
  assert.is((await engine.latchkey.login({ username: 'mallory', password, secondFactor: 'now' }, meta)).kind, 'rejected');
  const [event] = await engine.store.read({ after: 0, limit: 10 });
  assert.is(event?.type, 'UnknownUserAttempted');
  assert.not.ok(JSON.stringify(event).includes('mallory'));
});

/** A store that loses the race for the first `losses` appends, as if another node appended each time. */
class ContendedStore extends InMemoryEventStore {
  losses: number;
  constructor(losses: number) {
    super();
    this.losses = losses;
  }
  override async append(request: AppendRequest) {
    if (request.writes.some((w) => w.events.some((e) => e.type === 'PasswordAccepted')) && this.losses-- > 0) throw new DomainError('stream_moved', 'the stream moved');
    return super.append(request);
  }
}

test('a password step that loses every race is refused and recorded as refused under contention', async () => {
  const engine = await engineInMemory();
  await withTotpUser(engine);
  const contended = new ContendedStore(Number.POSITIVE_INFINITY);
  for (const e of await engine.store.read({ after: 0, limit: 100 })) {
    await contended.append({ commandId: e.id, writes: [{ kind: e.stream.split('-')[0] as 'account', id: e.stream.slice(e.stream.indexOf('-') + 1), expectedVersion: 'any', events: [{ type: e.type, data: e.data } as never] }], meta, at: e.at });
  }
  const { createLatchkey } = await import('../../../core/app/latchkey.js');
  const latchkey = createLatchkey({ ...engine.deps, store: contended });
  assert.is((await latchkey.login({ username: 'alice', password, secondFactor: 'later' }, meta)).kind, 'rejected');
  const last = (await contended.read({ after: 0, limit: 100 })).at(-1);
  assert.equal([last?.type, last?.data], ['LoginRefused', { reason: 'contention' }]);
  // Four lost races and a fifth attempt that lands: an ordinary answer, no refusal.
  contended.losses = 4;
  assert.is((await latchkey.login({ username: 'alice', password, secondFactor: 'later' }, meta)).kind, 'mfa_required');
});

test('a remembered device lets its owner in during a lock, rotates, and a rotated-out copy revokes the series', async () => {
  const engine = await engineInMemory();
  const secret = await withTotpUser(engine);
  const step1 = await engine.latchkey.login({ username: 'alice', password, secondFactor: 'later' }, meta);
  assert.ok(step1.kind === 'mfa_required');
  const step2 = await engine.latchkey.continueLogin({ mfaToken: step1.mfaToken, otp: oathtool(secret, engine.clock.now()), rememberDevice: true }, meta);
  assert.ok(step2.kind === 'authenticated' && step2.deviceToken !== null);
  const first = step2.deviceToken!;
  for (let i = 0; i < 5; i++) await engine.latchkey.login({ username: 'alice', password: 'wrong password', secondFactor: 'later' }, meta);
  const byDevice = await engine.latchkey.login({ username: 'alice', password, deviceToken: first, secondFactor: 'later' }, meta);
  assert.ok(byDevice.kind === 'authenticated' && byDevice.deviceToken !== null && byDevice.deviceToken !== first);
  assert.equal((await engine.types()).slice(-3), ['LoginSucceeded', 'DeviceRotated', 'SessionIssued']);
  const replayed = await engine.latchkey.login({ username: 'alice', password, deviceToken: first, secondFactor: 'later' }, meta);
  assert.is(replayed.kind, 'mfa_required', 'the copy does not stand in for the code');
  assert.ok((await engine.types()).includes('DeviceReuseDetected'));
  const stolen = byDevice.kind === 'authenticated' ? byDevice.deviceToken! : '';
  assert.is((await engine.latchkey.login({ username: 'alice', password, deviceToken: stolen, secondFactor: 'later' }, meta)).kind, 'mfa_required', 'the series is revoked');
});

test.run();
