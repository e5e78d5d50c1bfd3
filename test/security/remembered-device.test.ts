import * as assert from 'uvu/assert';
import { serverSuite } from '../helpers/server-suite.js';
import { type TestServer, type TestUser, codeNow, createUser } from '../helpers/test-server.js';
import { accountIdOf, eventsAfter, lastSeq, streamEvents, typesOf } from './helpers/audit-events.js';
import { assertNativeError } from './helpers/native-api.js';
import { redact } from './helpers/secret-leaks.js';
import { countArgon2 } from './helpers/server-internals.js';

/**
 * docs/security.md §20 (OWASP "device cookies", Authelia's regulation): an attacker who locks the victim's account with
 * wrong passwords must not lock the victim out; the victim's remembered device still gets in, while every client
 * without it (the attacker's, or even one that knows the password) is refused.
 */
const t = serverSuite('20. remembered device vs lockout', {
  // The default per-account budget (10 failures/minute), so the attacker's wave spends it as in real life.
  server: { env: { LATCHKEY_THROTTLE_ACCOUNT_BURST: '10', LATCHKEY_THROTTLE_ACCOUNT_PER_MINUTE: '10' } },
});

/** The victim's first login on a device it asks to remember: password → mfa_token → code + remember_device. */
const rememberDevice = async (s: TestServer, u: TestUser): Promise<string> => {
  const first = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password } });
  assert.is(first.body.status, 'mfa_required');
  const second = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: first.body.mfa_token, otp: codeNow(s, u), remember_device: true } });
  assert.is(second.status, 200);
  assert.is(second.body.aal, 'aal2');
  assert.type(second.body.device_token, 'string');
  return second.body.device_token as string;
};

const selectorOf = (deviceToken: string): string => deviceToken.split('.')[0]!;

t('20. an attacker locks the account; the victim with a remembered device still logs in, the device token rotates', async ({ s }) => {
  const victim = await createUser(s);
  const accountId = await accountIdOf(s, victim.username);
  const device = await rememberDevice(s, victim);
  s.clock.advance(30_000);

  // The attack: wrong passwords until the account locks (threshold 5) and the account budget (10) is spent.
  for (let i = 0; i < 5; i++) assertNativeError(await s.call('POST', '/v1/login', { json: { username: victim.username, password: `guess-${i}` } }), 401, 'invalid_credentials');
  const afterLock = await streamEvents(s, `account-${accountId}`);
  assert.ok(typesOf(afterLock).includes('AccountLocked'), 'the wave locked the account');

  // A client without the device, even one that knows the password and a fresh code, is refused during the lock.
  const before = await lastSeq(s);
  const noDevice = await s.call('POST', '/v1/login', { json: { username: victim.username, password: victim.password, otp: codeNow(s, victim) } });
  assertNativeError(noDevice, 401, 'invalid_credentials');
  const refused = await eventsAfter(s, before);
  assert.equal(typesOf(refused), ['LoginRefused']);
  assert.is(refused[0]!.data.reason, 'locked');

  // The victim: password + remembered device → in, at aal2, with a new device token.
  const mark = await lastSeq(s);
  const inDuringLock = await s.call('POST', '/v1/login', { json: { username: victim.username, password: victim.password, device_token: device } });
  assert.is(inDuringLock.status, 200, redact(inDuringLock.text));
  assert.is(inDuringLock.body.status, 'authenticated');
  assert.is(inDuringLock.body.aal, 'aal2');
  const rotated = inDuringLock.body.device_token as string;
  assert.type(rotated, 'string');
  assert.is.not(rotated, device, 'the device token rotates on use');
  assert.is(selectorOf(rotated), selectorOf(device), 'same series (selector), new validator');
  const appended = await eventsAfter(s, mark);
  assert.ok(typesOf(appended).includes('DeviceRotated'));
  const success = appended.find((e) => e.type === 'LoginSucceeded');
  assert.ok(success, 'the login is recorded');
  assert.is(success!.data.method, 'password+device');
  assert.ok(typesOf(appended).includes('SessionIssued'));
  const me = await s.call('GET', '/v1/session', { token: inDuringLock.body.access_token });
  assert.is(me.status, 200);
  assert.is(me.body.username, victim.username);
});

t('20. the attacker stays refused: no device → 401 and, once the account budget is spent, no argon2 work at all', async ({ s }) => {
  const victim = await createUser(s);
  const device = await rememberDevice(s, victim);
  const argon2 = countArgon2(s);
  // Eleven wrong passwords: five lock the account, the account budget (10) is spent by the tenth.
  for (let i = 0; i < 11; i++) assertNativeError(await s.call('POST', '/v1/login', { json: { username: victim.username, password: `guess-${i}` } }), 401, 'invalid_credentials');
  assert.is(argon2.verifies(), 10, 'the 11th attempt was refused before hashing');

  // A forged or stolen-and-rotated-out device token is no way around the account budget.
  const mark = await lastSeq(s);
  const verifiesBefore = argon2.verifies();
  const forged = `${selectorOf(device)}.${'A'.repeat(43)}`;
  for (const deviceToken of [forged, 'not-a-device-token', `${crypto.randomUUID()}.${'B'.repeat(43)}`]) {
    const r = await s.call('POST', '/v1/login', { json: { username: victim.username, password: 'guess-again', device_token: deviceToken } });
    assertNativeError(r, 401, 'invalid_credentials');
  }
  assert.is(argon2.verifies(), verifiesBefore, 'no argon2 work for an attacker with a forged device token');
  assert.equal(await eventsAfter(s, mark), [], 'refused before any work: nothing appended');

  // The victim still gets in with the real device token, with the budget spent and the account locked.
  const victimIn = await s.call('POST', '/v1/login', { json: { username: victim.username, password: victim.password, device_token: device } });
  assert.is(victimIn.status, 200, redact(victimIn.text));
  assert.is(victimIn.body.status, 'authenticated');
  // And the attacker, right after the victim's login, is still held by the spent account budget.
  const after = await lastSeq(s);
  assertNativeError(await s.call('POST', '/v1/login', { json: { username: victim.username, password: 'guess-11' } }), 401, 'invalid_credentials');
  assert.equal(await eventsAfter(s, after), [], 'the attacker is still refused before any work');
});

t('20. the old device token is refused after rotation, and presenting it revokes the whole series', async ({ s }) => {
  const victim = await createUser(s);
  const accountId = await accountIdOf(s, victim.username);
  const d1 = await rememberDevice(s, victim);
  const second = await s.call('POST', '/v1/login', { json: { username: victim.username, password: victim.password, device_token: d1 } });
  assert.is(second.body.status, 'authenticated');
  const d2 = second.body.device_token as string;

  // A stolen copy of d1, presented with the password: treated as absent (MFA is asked for), never authenticated.
  const mark = await lastSeq(s);
  const stolen = await s.call('POST', '/v1/login', { json: { username: victim.username, password: victim.password, device_token: d1 } });
  assert.is(stolen.status, 200);
  assert.is(stolen.body.status, 'mfa_required', 'a rotated-out device token does not skip the second factor');
  assert.is(stolen.body.access_token, undefined);
  assert.is(stolen.body.device_token, undefined);
  const device = await streamEvents(s, `device-${selectorOf(d1)}`);
  const reuse = device.filter((e) => e.seq > mark);
  assert.equal(typesOf(reuse), ['DeviceReuseDetected', 'DeviceRevoked']);
  assert.is(reuse[1]!.data.reason, 'reuse');

  // The current token of the series died with it: the thief's copy took the owner's down (OWASP device cookies).
  const owner = await s.call('POST', '/v1/login', { json: { username: victim.username, password: victim.password, device_token: d2 } });
  assert.is(owner.body.status, 'mfa_required', 'the revoked series no longer skips the second factor');
  assert.is(owner.body.access_token, undefined);
  // Not counted as a failure: the password was right and a code can still finish the login.
  const account = await streamEvents(s, `account-${accountId}`);
  assert.not.ok(account.some((e) => e.seq > mark && (e.type === 'PasswordRejected' || e.type === 'AccountLocked')));
  const done = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: owner.body.mfa_token, otp: codeNow(s, victim, 1) } });
  assert.is(done.status, 200);
});

t('20. a device token with the wrong password neither logs in nor burns the owner series', async ({ s }) => {
  const victim = await createUser(s);
  const device = await rememberDevice(s, victim);
  const mark = await lastSeq(s);
  const r = await s.call('POST', '/v1/login', { json: { username: victim.username, password: 'not-the-password', device_token: device } });
  assertNativeError(r, 401, 'invalid_credentials');
  const appended = await eventsAfter(s, mark);
  assert.equal(typesOf(appended), ['PasswordRejected']);
  const owner = await s.call('POST', '/v1/login', { json: { username: victim.username, password: victim.password, device_token: device } });
  assert.is(owner.body.status, 'authenticated', 'the device still works for its owner');
});

t('20. a lock spares the device, a credential change does not: after a password change the device is revoked', async ({ s }) => {
  const victim = await createUser(s);
  const device = await rememberDevice(s, victim);
  const password = `${victim.password}-new`;
  assert.is((await s.admin('POST', `/v1/admin/users/${encodeURIComponent(victim.username)}/password`, { json: { password } })).status, 204);
  const mark = await lastSeq(s);
  const r = await s.call('POST', '/v1/login', { json: { username: victim.username, password, device_token: device } });
  assert.is(r.body.status, 'mfa_required', 'the device no longer skips the second factor');
  const revoked = (await streamEvents(s, `device-${selectorOf(device)}`)).filter((e) => e.seq > mark);
  assert.equal(typesOf(revoked), ['DeviceRevoked']);
  assert.is(revoked[0]!.data.reason, 'credentials_changed');
});

t.run();
