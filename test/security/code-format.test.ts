import * as assert from 'uvu/assert';
import type { Reply } from '../helpers/http.js';
import { serverSuite } from '../helpers/server-suite.js';
import { type TestServer, type TestUser, createUser } from '../helpers/test-server.js';
import { accountStream, typesOf, watch } from './helpers/audit-events.js';
import { assertInvalidCredentials, login, loginMfa, mfaToken, userPath } from './helpers/native-api.js';
import { assertSameAnswer, stableHeaders } from './helpers/same-answer.js';
import { assertNoLeak } from './helpers/secret-leaks.js';
import { codeAt, wrongCodeNow } from './helpers/totp-codes.js';
import { assertOracleRefusal, oracleLogin } from './helpers/vendor-dialects.js';

/**
 * docs/security.md §5: only ASCII digits of the factor's length are a code (core/otp-format.ts). Anything else gets the
 * generic answer and counts as a failure (RFC 4226 §7.3 throttling counts every wrong attempt). Absent/null is the
 * one exception, and only on the first call of a two-step login, where it means "ask me for the code".
 */
const t = serverSuite('security: malformed codes');

const arabicIndic = (code: string): string => [...code].map((d) => String.fromCharCode(0x0660 + Number(d))).join('');
const fullwidth = (code: string): string => [...code].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');

/** Every malformed spelling of the valid code `c`: each would pass if the server normalised or coerced it. */
const malformedOf = (c: string): [string, unknown][] => [
  ['empty', ''],
  ['5 digits', c.slice(0, 5)],
  ['7 digits', `${c}0`],
  ['10 digits', `${c}0000`],
  ['Arabic-Indic digits', arabicIndic(c)],
  ['fullwidth digits (NFKC would make them ASCII)', fullwidth(c)],
  ['leading space', ` ${c}`],
  ['inner space', `${c.slice(0, 3)} ${c.slice(3)}`],
  ['trailing space', `${c} `],
  ['plus sign', `+${c}`],
  ['JSON number', Number(c)],
  ['array', [c]],
  ['object', { otp: c }],
];

/** Keeps the account below the lockout threshold between probes (AccountUnlocked resets the counter). */
const unlockEvery4 = async (s: TestServer, a: TestUser, failures: number): Promise<number> => {
  if (failures < 4) return failures;
  assert.is((await s.admin('POST', userPath(a, '/unlock'))).status, 204);
  return 0;
};

t('5. malformed codes on POST /v1/login → the generic error, each an OtpRejected "malformed" failure', async ({ s }) => {
  const a = await createUser(s);
  const log = await watch(s, accountStream(a));
  const valid = codeAt(a, s.clock.now());
  const reference = await login(s, { username: a.username, password: a.password, otp: wrongCodeNow(s, a) });
  assertInvalidCredentials(reference, 'wrong code');
  let failures = 1;
  const replies: Reply[] = [reference];
  for (const [what, otp] of malformedOf(valid)) {
    failures = await unlockEvery4(s, a, failures);
    await log.next();
    const r = await login(s, { username: a.username, password: a.password, otp });
    assertSameAnswer(reference, r, what);
    failures++;
    assert.equal((await log.next()).map((e) => [e.type, e.data]), [['OtpRejected', { reason: 'malformed', failures }]], what);
    replies.push(r);
  }
  // Absent or null on the first of two steps asks for the code: not a failure, no OtpRejected, a partial token.
  for (const body of [{ otp: null }, {}]) {
    const r = await login(s, { username: a.username, password: a.password, ...body });
    assert.is(r.status, 200);
    assert.is(r.body.status, 'mfa_required');
    assert.equal(typesOf(await log.next()).filter((x) => x !== 'ChallengeIssued'), ['PasswordAccepted']);
  }
  // None of the spellings was taken for the code: the valid code is still unused and passes now.
  const ok = await login(s, { username: a.username, password: a.password, otp: valid });
  assert.is(ok.status, 200);
  assert.equal(typesOf(await log.next()), ['OtpAccepted', 'LoginSucceeded']);
  await assertNoLeak(s, { secrets: [a.password, a.secret!, valid], replies, streams: [accountStream(a)] });
});

t('5. malformed, null and absent codes on POST /v1/login/mfa → invalid_otp, each counted (token and account)', async ({ s }) => {
  const a = await createUser(s);
  const log = await watch(s, accountStream(a));
  const valid = codeAt(a, s.clock.now());
  const probes: [string, Record<string, unknown>, 'malformed' | 'missing'][] = [
    ...malformedOf(valid).map(([what, otp]) => [what, { otp }, 'malformed'] as [string, Record<string, unknown>, 'malformed']),
    ['null', { otp: null }, 'missing'],
    ['absent', {}, 'missing'],
  ];
  let referenceHeaders: [string, string][] | null = null;
  let failures = 0;
  const tokens: string[] = [];
  const replies: Reply[] = [];
  for (let i = 0; i < probes.length; i += 4) {
    failures = await unlockEvery4(s, a, failures);
    const token = await mfaToken(s, a);
    tokens.push(token);
    await log.next();
    for (const [j, [what, extra, reason]] of probes.slice(i, i + 4).entries()) {
      const r = await loginMfa(s, { mfa_token: token, ...extra });
      assert.is(r.status, 401, what);
      assert.equal(r.body, { error: 'invalid_otp', message: 'Invalid code.', attempts_remaining: 4 - j }, what);
      referenceHeaders ??= stableHeaders(r);
      assert.equal(stableHeaders(r), referenceHeaders, `${what}: same headers`);
      failures++;
      assert.equal((await log.next()).map((e) => [e.type, e.data]), [['OtpRejected', { reason, failures }]], what);
      replies.push(r);
    }
  }
  const token = await mfaToken(s, a);
  const ok = await loginMfa(s, { mfa_token: token, otp: valid });
  assert.is(ok.status, 200, 'the valid code was never consumed');
  await assertNoLeak(s, { secrets: [a.password, a.secret!, valid, ...tokens], replies, streams: [accountStream(a)] });
});

t('5. on Oracle mfalogin (one step) a missing, empty or malformed totp_code → the generic refusal, counted', async ({ s }) => {
  const a = await createUser(s);
  const log = await watch(s, accountStream(a));
  const creds = { username: a.username, password: a.password };
  const valid = codeAt(a, s.clock.now());
  const reference = await oracleLogin(s, { ...creds, totp_code: wrongCodeNow(s, a) });
  assertOracleRefusal(reference, 'wrong code');
  let failures = 1;
  const replies: Reply[] = [reference];
  // A form carries strings only; a repeated key is bad input (400, attack 27), not a code.
  const probes: [string, string | undefined, 'missing' | 'malformed'][] = [
    ['no totp_code (one step: a missing code is a failure)', undefined, 'missing'],
    ...malformedOf(valid)
      .filter(([, v]) => typeof v === 'string')
      .map(([what, v]) => [what, v as string, 'malformed'] as [string, string, 'malformed']),
  ];
  for (const [what, totp_code, reason] of probes) {
    failures = await unlockEvery4(s, a, failures);
    await log.next();
    const r = await oracleLogin(s, { ...creds, ...(totp_code === undefined ? {} : { totp_code }) });
    assertSameAnswer(reference, r, what);
    failures++;
    assert.equal((await log.next()).map((e) => [e.type, e.data]), [['OtpRejected', { reason, failures }]], what);
    replies.push(r);
  }
  assert.is((await oracleLogin(s, { ...creds, totp_code: valid })).status, 200, 'the valid code was never consumed');
  await assertNoLeak(s, { secrets: [a.password, a.secret!, valid], replies, streams: [accountStream(a)] });
});

t.run();
