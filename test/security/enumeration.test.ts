import * as assert from 'uvu/assert';
import type { Reply } from '../helpers/http.js';
import { serverSuite } from '../helpers/server-suite.js';
import { createUser } from '../helpers/test-server.js';
import { accountStream, eventsAfter, lastSeq } from './helpers/audit-events.js';
import { assertInvalidCredentials, login, userPath } from './helpers/native-api.js';
import { assertSameAnswer, perRequestHeaders, stableHeaders } from './helpers/same-answer.js';
import { assertAbsent, assertNoLeak } from './helpers/secret-leaks.js';
import { codeAt, wrongCodeNow } from './helpers/totp-codes.js';
import { appgateLogin, assertOracleRefusal, mykaarma, oracleLogin, withoutRequestId } from './helpers/vendor-dialects.js';

/**
 * OWASP Authentication cheat sheet, ASVS v5 6.3.8, docs/api.md "Common rules": unknown user, wrong password, wrong code,
 * locked and disabled accounts answer with the same status, byte-identical body and the same headers. Only headers
 * that are per request by nature differ: Date and X-Request-Id (helpers/same-answer.ts `perRequestHeaders`).
 */
const t = serverSuite('security: account enumeration');

t('23. unknown user vs wrong password vs locked vs disabled → identical status, body and headers; no partial token', async ({ s }) => {
  const known = await createUser(s);
  const locked = await createUser(s);
  const disabled = await createUser(s);
  const noFactor = await createUser(s, { totp: false });
  for (let i = 0; i < 5; i++) await login(s, { username: locked.username, password: `${locked.password}-wrong` });
  assert.is((await s.admin('POST', userPath(disabled, '/disable'))).status, 204);
  const unknownName = `nobody-${known.username}`;
  const now = s.clock.now();
  const mark = await lastSeq(s);

  const cases: [string, Record<string, unknown>][] = [
    ['unknown user', { username: unknownName, password: known.password }],
    ['wrong password', { username: known.username, password: `${known.password}-wrong` }],
    ['locked, right password', { username: locked.username, password: locked.password }],
    ['disabled, right password', { username: disabled.username, password: disabled.password }],
    ['required MFA without a factor, right password', { username: noFactor.username, password: noFactor.password }],
    ['unknown user + a code', { username: unknownName, password: known.password, otp: codeAt(known, now) }],
    ['wrong password + right code', { username: known.username, password: `${known.password}-wrong`, otp: codeAt(known, now) }],
    ['right password + wrong code', { username: known.username, password: known.password, otp: wrongCodeNow(s, known) }],
    ['locked, right password + right code', { username: locked.username, password: locked.password, otp: codeAt(locked, now) }],
    ['disabled, right password + right code', { username: disabled.username, password: disabled.password, otp: codeAt(disabled, now) }],
  ];
  const replies: Reply[] = [];
  for (const [what, body] of cases) {
    const r = await login(s, body);
    assertInvalidCredentials(r, what);
    if (replies.length > 0) assertSameAnswer(replies[0]!, r, `${what} vs ${cases[0]![0]}`);
    replies.push(r);
  }
  console.log(
    `    23: compared status, body and headers [${stableHeaders(replies[0]!).map(([k]) => k).join(', ')}]; excluded [${perRequestHeaders.join(', ')}]`,
  );

  const events = await eventsAfter(s, mark);
  assert.not.ok(events.some((e) => e.type === 'ChallengeIssued' || e.type === 'SessionIssued'), 'no partial or full token was minted');
  const reasons = events.filter((e) => e.type === 'LoginRefused').map((e) => e.data.reason);
  assert.equal(reasons, ['locked', 'disabled', 'no_factor', 'locked', 'disabled'], 'the log tells the cases apart, the answers do not');
  // Unknown names are recorded under an HMAC (docs/design.md), never in clear: people type passwords there.
  const probes = events.filter((e) => e.type === 'UnknownUserAttempted');
  assert.equal(probes.map((e) => e.data), [{ attempts: 1 }, { attempts: 2 }]);
  assert.ok(probes.every((e) => e.stream === probes[0]!.stream && /^probe-[A-Za-z0-9_-]+$/.test(e.stream)));
  assertAbsent('events of the probes', JSON.stringify(events), [unknownName, known.password, locked.password, disabled.password]);
  await assertNoLeak(s, {
    secrets: [unknownName, known.password, locked.password, disabled.password, noFactor.password, codeAt(known, now), codeAt(locked, now), codeAt(disabled, now)],
    replies,
    streams: [known, locked, disabled, noFactor].map(accountStream),
  });
});

t('23. the same within Oracle, Appgate and myKaarma: one refusal per dialect for unknown, wrong password, locked, disabled', async ({ s }) => {
  const known = await createUser(s);
  const locked = await createUser(s);
  const disabled = await createUser(s);
  for (let i = 0; i < 5; i++) await login(s, { username: locked.username, password: `${locked.password}-wrong` });
  assert.is((await s.admin('POST', userPath(disabled, '/disable'))).status, 204);
  const now = s.clock.now();
  const cases: [string, string, string][] = [
    ['unknown user', `nobody-${known.username}`, known.password],
    ['wrong password', known.username, `${known.password}-wrong`],
    ['locked, right password', locked.username, locked.password],
    ['disabled, right password', disabled.username, disabled.password],
  ];
  const codeFor = (username: string) => [known, locked, disabled].find((a) => a.username === username);
  const mark = await lastSeq(s);
  const oracle: Reply[] = [];
  const appgate: Reply[] = [];
  const mk: Reply[] = [];
  for (const [, username, password] of cases) {
    const c = codeFor(username);
    const code = c ? codeAt(c, now) : '123456';
    oracle.push(await oracleLogin(s, { username, password, totp_code: code }));
    appgate.push(await appgateLogin(s, { username, password }));
    mk.push(await mykaarma(s, username, { password }));
  }
  oracle.push(await oracleLogin(s, { username: known.username, password: known.password, totp_code: wrongCodeNow(s, known) }));
  for (const [i, [what]] of [...cases, ['right password, wrong code'] as const].entries()) {
    assertOracleRefusal(oracle[i]!, `Oracle: ${what}`);
    assertSameAnswer(oracle[0]!, oracle[i]!, `Oracle: ${what}`);
  }
  for (const [i, [what]] of cases.entries()) {
    assert.equal(appgate[i]!.body, { id: 'unauthorized', message: 'Login Failed.', failureType: 'Login' }, `Appgate: ${what}`);
    assertSameAnswer(appgate[0]!, appgate[i]!, `Appgate: ${what}`);
    assert.not.ok('token' in appgate[i]!.body, `Appgate: ${what}: no partial token`);
    // myKaarma's envelope holds the request id (apiRequestId): everything else is identical.
    assert.is(mk[i]!.status, 401, `myKaarma: ${what}`);
    assert.is(withoutRequestId(mk[i]!), withoutRequestId(mk[0]!), `myKaarma: ${what}: identical body but for apiRequestId`);
    assert.equal(stableHeaders(mk[i]!), stableHeaders(mk[0]!), `myKaarma: ${what}: same headers`);
    assert.not.ok('sessionToken' in mk[i]!.body && mk[i]!.body.sessionToken, `myKaarma: ${what}: no partial token`);
  }
  assert.not.ok((await eventsAfter(s, mark)).some((e) => e.type === 'ChallengeIssued' || e.type === 'SessionIssued'));
  await assertNoLeak(s, { secrets: [known.password, locked.password, disabled.password], replies: [...oracle, ...appgate, ...mk] });
});

t.run();
