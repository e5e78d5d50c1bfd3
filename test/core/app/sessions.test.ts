import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InMemoryAuditLog } from '../../../adapters/memory/in-memory-audit-log.js';
import { history } from '../../../core/audit/history.js';
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

const grant = { ttlMs: 60_000, origin: null, singleUse: false, restricted: false };
const lastEvent = async (engine: Awaited<ReturnType<typeof engineInMemory>>) => (await engine.store.read({ after: 0, limit: 10_000 })).at(-1);

test('a granted token logs in on several connections at its holder\'s level, each with a session of its own; it is no bearer', async () => {
  const engine = await engineInMemory();
  const { token } = await keyLogin(engine, 'alice');
  const granted = await engine.latchkey.grantToken(token.accessToken, grant, meta);
  assert.type(granted, 'string');
  assert.is(await engine.latchkey.authenticate(granted), null, 'not an access token');
  const first = await engine.latchkey.loginWithToken(granted, meta);
  const second = await engine.latchkey.loginWithToken(granted, meta);
  assert.is(first?.user.username, 'alice');
  assert.is(first?.token.aal, 'aal1');
  assert.is.not(first?.token.sessionId, second?.token.sessionId);
  assert.is((await engine.latchkey.authenticate(first!.token.accessToken))?.user.username, 'alice');
  assert.is((await lastEvent(engine))?.type, 'SessionIssued');
  assert.ok((await engine.types()).filter((t) => t === 'SessionResumed').length === 2);
  // TOKEN_PLAIN takes only granted tokens: an access token names nothing it knows.
  assert.is(await engine.latchkey.loginWithToken(token.accessToken, meta), null);
  assert.is((await lastEvent(engine))?.type, 'UnknownTokenPresented');
});

test("a granted token's stream is in its account's audit history (TokenGranted names the account)", async () => {
  const engine = await engineInMemory();
  const { token } = await keyLogin(engine, 'erin');
  const granted = (await engine.latchkey.grantToken(token.accessToken, grant, meta))!;
  assert.ok((await engine.latchkey.loginWithToken(granted, meta)) !== null);
  const page = await history(new InMemoryAuditLog(engine.store), null, { username: 'erin', range: {}, after: 0, limit: 100 });
  const types = page.events.map((e) => e.type);
  assert.ok(types.includes('TokenGranted') && types.includes('SessionResumed'), types.join(','));
  assert.not.ok(JSON.stringify(page.events).includes(granted.split('.')[1]!), 'the token secret is nowhere in it');
});

test('the ttl counts from the last use (middlewared notify_used): at its edge, one step either side', async () => {
  const engine = await engineInMemory();
  const { token } = await keyLogin(engine, 'bob');
  const granted = await engine.latchkey.grantToken(token.accessToken, grant, meta);
  engine.clock.advance(grant.ttlMs - 1);
  assert.ok((await engine.latchkey.loginWithToken(granted, meta)) !== null, 'one ms before the ttl');
  engine.clock.advance(grant.ttlMs - 1);
  assert.ok((await engine.latchkey.loginWithToken(granted, meta)) !== null, 'the login restarted the ttl');
  engine.clock.advance(grant.ttlMs);
  assert.is(await engine.latchkey.loginWithToken(granted, meta), null, 'at the ttl');
  assert.equal([(await lastEvent(engine))?.type, (await lastEvent(engine))?.data], ['SessionResumeRefused', { reason: 'expired' }]);
});

test('single_use: spent by its first login; match_origin: refused from another address; attrs: never a login', async () => {
  const engine = await engineInMemory();
  const { token } = await keyLogin(engine, 'dave');
  const refusal = async () => ((await lastEvent(engine))?.data as { reason?: string }).reason;
  const once = (await engine.latchkey.grantToken(token.accessToken, { ...grant, singleUse: true }, meta))!;
  assert.ok((await engine.latchkey.loginWithToken(once, meta)) !== null);
  assert.is(await engine.latchkey.loginWithToken(once, meta), null);
  assert.is(await refusal(), 'revoked');
  const bound = (await engine.latchkey.grantToken(token.accessToken, { ...grant, origin: meta.ip }, meta))!;
  assert.is(await engine.latchkey.loginWithToken(bound, { ...meta, ip: '198.51.100.7' }), null);
  assert.is(await refusal(), 'origin');
  assert.ok((await engine.latchkey.loginWithToken(bound, meta)) !== null, 'from its origin');
  const restricted = (await engine.latchkey.grantToken(token.accessToken, { ...grant, restricted: true }, meta))!;
  assert.is(await engine.latchkey.loginWithToken(restricted, meta), null);
  assert.is(await refusal(), 'restricted');
  assert.is(await engine.latchkey.loginWithToken(`${once.slice(0, -2)}xx`, meta), null, 'a wrong secret');
  assert.is(await refusal(), 'revoked');
  assert.is(await engine.latchkey.loginWithToken(`${bound.slice(0, -2)}xx`, meta), null, 'a wrong secret');
  assert.is(await refusal(), 'unknown');
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
