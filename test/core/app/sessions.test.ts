import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engineInMemory, meta } from './engine-in-memory.js';

/** Sessions through the application service alone: token logins, refresh, API-key sessions and their revocation. */
const test = suite('sessions (application service)');

const password = 'correct horse battery staple';

const keyLogin = async (engine: Awaited<ReturnType<typeof engineInMemory>>, username: string) => {
  await engine.latchkey.registerUser({ username, password, mfa: 'exempt' }, meta);
  const key = await engine.latchkey.issueApiKey(username, 'backup', meta);
  const result = await engine.latchkey.loginWithApiKey({ username, apiKey: key.key }, meta);
  assert.ok(result.kind === 'authenticated');
  return { key, token: result.token };
};

test('a token login resumes its session and is recorded; after a refresh the old token is superseded', async () => {
  const engine = await engineInMemory();
  const { token } = await keyLogin(engine, 'alice');
  const resumed = await engine.latchkey.loginWithToken(token.accessToken, meta);
  assert.is(resumed?.user.username, 'alice');
  assert.is((await engine.types()).at(-1), 'SessionResumed');
  const refreshed = await engine.latchkey.refresh(token.accessToken, meta);
  assert.ok(refreshed !== null);
  assert.is(await engine.latchkey.loginWithToken(token.accessToken, meta), null);
  const [last] = (await engine.store.read({ after: 0, limit: 1000 })).slice(-1);
  assert.equal([last?.type, last?.data], ['SessionResumeRefused', { reason: 'superseded' }]);
});

test('a token login past the session expiry is refused as expired, one millisecond before it resumes', async () => {
  const engine = await engineInMemory();
  const { token } = await keyLogin(engine, 'bob');
  engine.clock.advance(engine.deps.policy.session.ttlMs - 1);
  assert.ok((await engine.latchkey.loginWithToken(token.accessToken, meta)) !== null);
  engine.clock.advance(1);
  assert.is(await engine.latchkey.loginWithToken(token.accessToken, meta), null);
  // The signature check already refuses an expired token: it names no session we would resume.
  assert.is((await engine.types()).at(-1), 'UnknownTokenPresented');
});

test('revoking an API key ends the sessions it opened, with events, and they stop authenticating', async () => {
  const engine = await engineInMemory();
  const { key, token } = await keyLogin(engine, 'carol');
  const second = await engine.latchkey.loginWithApiKey({ username: 'carol', apiKey: key.key }, meta);
  assert.ok(second.kind === 'authenticated');
  assert.ok(await engine.latchkey.revokeApiKey('carol', key.id, meta));
  const tail = (await engine.store.read({ after: 0, limit: 1000 })).slice(-3);
  assert.equal(
    tail.map((e) => [e.type, e.data]),
    [
      ['ApiKeyRevoked', { keyId: key.id }],
      ['SessionRevoked', { reason: 'api_key_revoked' }],
      ['SessionRevoked', { reason: 'api_key_revoked' }],
    ],
  );
  assert.is(await engine.latchkey.authenticate(token.accessToken), null);
  assert.is(await engine.latchkey.authenticate(second.token.accessToken), null);
  assert.not.ok(await engine.latchkey.revokeApiKey('carol', key.id, meta), 'a second revocation changes nothing');
});

test('throttle refusals are tallied and written once per key, HMAC for a name', async () => {
  const engine = await engineInMemory({ throttle: { perIp: { capacity: 100, perMinute: 100 }, perAccount: { capacity: 2, perMinute: 1 } } });
  await engine.latchkey.registerUser({ username: 'dave', password }, meta);
  for (let i = 0; i < 5; i++) await engine.latchkey.login({ username: 'dave', password: 'wrong password', secondFactor: 'later' }, meta);
  assert.is(await engine.latchkey.recordThrottleRefusals(), 1);
  const [last] = (await engine.store.read({ after: 0, limit: 1000 })).slice(-1);
  assert.is(last?.type, 'ThrottleRefusals');
  const data = last!.data as { scope: string; key: string; count: number };
  assert.equal([data.scope, data.count], ['account', 3]);
  assert.not.ok(JSON.stringify(last).includes('dave'), 'the name is written as its HMAC');
  assert.is(last?.meta.dialect, 'system');
});

test.run();
