import * as assert from 'uvu/assert';
import type { Reply } from '../helpers/http.js';
import { serverSuite } from '../helpers/server-suite.js';
import { createUser } from '../helpers/test-server.js';
import { accountStream, streamEvents, typesOf, watch } from './helpers/audit-events.js';
import { assertInvalidCredentials, login, loginMfa, mfaToken, userPath } from './helpers/native-api.js';
import { assertNoLeak } from './helpers/secret-leaks.js';
import { codeAt, wrongCodeNow } from './helpers/totp-codes.js';

/**
 * RFC 4226 §7.3, NIST SP 800-63B §5.2.2: guessing the second factor is throttled twice: per token (5 codes, docs/api.md)
 * and per account (the lockout counter that password failures share), so minting more tokens buys no guesses.
 */
const t = serverSuite('security: second-step guessing');

const challengeStream = (token: string): string => `challenge-${token.split('.')[0]}`;
const invalidOtp = (remaining: number) => ({ error: 'invalid_otp', message: 'Invalid code.', attempts_remaining: remaining });
const invalidMfaToken = { error: 'invalid_mfa_token', message: 'The second-step token is not valid.' };

t('6. one second-step token dies after 5 wrong codes: the 5th answer is final, then invalid_mfa_token', async ({ s }) => {
  const a = await createUser(s);
  const account = await watch(s, accountStream(a));
  const token = await mfaToken(s, a);
  const challenge = await watch(s, challengeStream(token));
  const replies: Reply[] = [];
  const guess = async (n: number) => {
    const r = await loginMfa(s, { mfa_token: token, otp: wrongCodeNow(s, a) });
    assert.is(r.status, 401, `guess ${n}`);
    assert.equal(r.body, invalidOtp(5 - n), `guess ${n}`);
    replies.push(r);
  };
  for (let n = 1; n <= 4; n++) await guess(n);
  // The account threshold is also 5: unlock (failures → 0, the token's epoch unchanged) so only the token's own cap
  // can be what ends it.
  assert.is((await s.admin('POST', userPath(a, '/unlock'))).status, 204);
  await guess(5);
  assert.equal(
    (await challenge.next()).map((e) => [e.type, e.data]),
    [
      ['ChallengeOtpRejected', { attempts: 1 }],
      ['ChallengeOtpRejected', { attempts: 2 }],
      ['ChallengeOtpRejected', { attempts: 3 }],
      ['ChallengeOtpRejected', { attempts: 4 }],
      ['ChallengeOtpRejected', { attempts: 5 }],
      ['ChallengeEnded', { reason: 'exhausted' }],
    ],
  );
  const accountEvents = await account.next();
  assert.equal(typesOf(accountEvents), ['PasswordAccepted', 'OtpRejected', 'OtpRejected', 'OtpRejected', 'OtpRejected', 'AccountUnlocked', 'OtpRejected']);
  assert.not.ok(typesOf(accountEvents).includes('AccountLocked'));

  // Even the right code is refused now, and is not consumed.
  const valid = codeAt(a, s.clock.now());
  const dead = await loginMfa(s, { mfa_token: token, otp: valid });
  assert.is(dead.status, 401);
  assert.equal(dead.body, invalidMfaToken);
  assert.equal((await challenge.next()).map((e) => [e.type, e.data]), [['ChallengeRefused', { reason: 'exhausted' }]], 'refused, and recorded as such');
  assert.equal(await account.next(), []);
  // The account itself is fine: a new token and that code pass.
  const fresh = await mfaToken(s, a);
  assert.is((await loginMfa(s, { mfa_token: fresh, otp: valid })).status, 200);
  await assertNoLeak(s, { secrets: [a.password, a.secret!, valid, token, fresh], replies: [...replies, dead], streams: [accountStream(a), challengeStream(token)] });
});

t('7. wrong codes spread over many second-step tokens → the account counter locks at 5 and kills them all', async ({ s }) => {
  const a = await createUser(s);
  // The attacker has the password and mints five tokens first: 5 × 5 guesses if only tokens counted.
  const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => mfaToken(s, a)));
  const account = await watch(s, accountStream(a));
  const lockedAt = s.clock.now();
  const replies: Reply[] = [];
  for (const [i, token] of tokens.entries()) {
    const r = await loginMfa(s, { mfa_token: token, otp: wrongCodeNow(s, a) });
    assert.is(r.status, 401, `guess ${i + 1}`);
    assert.equal(r.body, invalidOtp(4), `guess ${i + 1}: a generic answer, nothing about the lock`);
    replies.push(r);
  }
  assert.equal(
    (await account.next()).map((e) => [e.type, e.data]),
    [
      ['OtpRejected', { reason: 'invalid', failures: 1 }],
      ['OtpRejected', { reason: 'invalid', failures: 2 }],
      ['OtpRejected', { reason: 'invalid', failures: 3 }],
      ['OtpRejected', { reason: 'invalid', failures: 4 }],
      ['OtpRejected', { reason: 'invalid', failures: 5 }],
      ['AccountLocked', { until: lockedAt + 60_000, failures: 5 }],
    ],
  );
  // Every outstanding token died with the lock, even with the right code; no code was judged.
  const valid = codeAt(a, s.clock.now());
  for (const token of tokens) {
    const r = await loginMfa(s, { mfa_token: token, otp: valid });
    assert.is(r.status, 401);
    assert.equal(r.body, invalidMfaToken);
    replies.push(r);
    const ended = (await streamEvents(s, challengeStream(token))).filter((e) => e.type === 'ChallengeEnded');
    assert.equal(ended.map((e) => e.data), [{ reason: 'credentials_changed' }]);
  }
  assert.equal(await account.next(), [], 'no OtpAccepted, no further failure');
  // And no new token while locked: the right password gets the generic refusal.
  const refused = await login(s, { username: a.username, password: a.password });
  assertInvalidCredentials(refused, 'password during the lock');
  assert.equal((await account.next()).map((e) => [e.type, e.data]), [['LoginRefused', { reason: 'locked' }]]);

  // After the lock, the next wrong code continues the back-off (NIST SP 800-63B §5.2.2): 6th failure, 2 minutes.
  s.clock.advance(60_000);
  const again = await mfaToken(s, a);
  await account.next();
  const sixth = await loginMfa(s, { mfa_token: again, otp: wrongCodeNow(s, a) });
  assert.equal(sixth.body, invalidOtp(4));
  assert.equal(
    (await account.next()).map((e) => [e.type, e.data]),
    [
      ['OtpRejected', { reason: 'invalid', failures: 6 }],
      ['AccountLocked', { until: s.clock.now() + 120_000, failures: 6 }],
    ],
  );
  await assertNoLeak(s, { secrets: [a.password, a.secret!, valid, ...tokens, again], replies: [...replies, refused, sixth], streams: [accountStream(a)] });
});

t.run();
