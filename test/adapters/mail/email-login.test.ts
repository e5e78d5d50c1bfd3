import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { challengeStream, createEmailUser, eventually, mailedLogin, streamEvents } from '../../helpers/email-user.js';
import { SmtpSink, codeOf, mailEnv } from '../../helpers/smtp-sink.js';
import { type TestServer, createUser, startTestServer } from '../../helpers/test-server.js';

/**
 * Issue 20 over a real SMTP server (smtp-server on 127.0.0.1), each message parsed by mailparser and its code taken
 * from the parsed text: enrolment, a login by e-mail, and wrong, expired, reused and foreign-challenge codes.
 */
const t = suite('e-mail codes over SMTP: native');
let sink: SmtpSink;
let s: TestServer;

t.before(async () => {
  sink = await SmtpSink.start();
  // Generous send limits: the limits have tests of their own (email-failures.test.ts).
  s = await startTestServer({ env: mailEnv(sink, { LATCHKEY_EMAIL_CODE_TTL_SECONDS: '120', LATCHKEY_EMAIL_PER_ADDRESS_PER_HOUR: '64', LATCHKEY_EMAIL_PER_ACCOUNT_PER_HOUR: '64' }) });
});
t.after(async () => {
  await s.close();
  await sink.stop();
});

t('enrolment: a verification code is mailed to the address as given; a wrong code confirms nothing, the right one does', async () => {
  const u = await createUser(s, { totp: false });
  const address = `Mixed.Case+${u.username}@Example.org`;
  const before = sink.messages.length;
  const put = await s.admin('PUT', `/v1/admin/users/${u.username}/email`, { json: { email: address } });
  assert.is(put.status, 202);
  assert.is(put.body.expires_in, 120);
  const mail = await sink.messageTo(address, before);
  // The domain's case means nothing to mail (mailparser lowers it); the log keeps the address exactly as given (below).
  assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address?.toLowerCase()) : [], [address.toLowerCase()]);
  const code = codeOf(mail);
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  assert.equal((await s.admin('POST', `/v1/admin/users/${u.username}/email/confirm`, { json: { code: wrong } })).body.error, 'invalid_code');
  // Not a factor yet: step 1 refuses an account without any.
  assert.is((await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password } })).status, 401);
  assert.is((await s.admin('POST', `/v1/admin/users/${u.username}/email/confirm`, { json: { code } })).status, 204);
  const events = await eventually(s, `account-${u.id}`, 'EmailCodeDelivered');
  const started = events.find((e) => e.type === 'EmailVerificationStarted')!;
  assert.is(started.data.address, address);
  assert.not.ok(JSON.stringify(events).includes(code), 'the verification code is in the log');
  assert.ok(events.some((e) => e.type === 'EmailConfirmed'));
});

t('a bad address is a 400 naming the field; an unknown user a 404', async () => {
  const u = await createUser(s, { totp: false });
  for (const email of ['no-at-sign', 'a@b', 'two@@example.org', 'x\r\nBcc: y@example.org', `${'a'.repeat(65)}@example.org`]) {
    const r = await s.admin('PUT', `/v1/admin/users/${u.username}/email`, { json: { email } });
    assert.is(r.status, 400, email);
  }
  assert.is((await s.admin('PUT', '/v1/admin/users/nobody-here/email', { json: { email: 'a@example.org' } })).status, 404);
});

t('login by e-mail: step 1 names "email", the send call answers at once, the mailed code completes at aal2', async () => {
  const u = await createEmailUser(s, sink);
  const first = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password } });
  assert.equal(first.body.mfa_methods, ['email']);
  const before = sink.messages.length;
  const sent = await s.call('POST', '/v1/login/mfa/email', { json: { mfa_token: first.body.mfa_token } });
  assert.is(sent.status, 202);
  assert.equal(sent.body, { status: 'code_sent', expires_in: 120 });
  const code = codeOf(await sink.message(before + 1));
  const done = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: first.body.mfa_token, email_code: code } });
  assert.is(done.status, 200, done.text);
  assert.ok(done.body.access_token);
  const events = await eventually(s, challengeStream(first.body.mfa_token), 'EmailCodeDelivered');
  assert.equal(
    events.map((e) => e.type),
    ['ChallengeIssued', 'EmailCodeIssued', 'EmailCodeDelivered', 'ChallengeCompleted'],
  );
  assert.is(events[1]!.data.outbox, 'test-node');
  const account = await streamEvents(s, `account-${u.id}`);
  assert.equal(account.at(-1)!.data, { aal: 'aal2', method: 'password+email' });
  // The audit history shows the issue, the delivery and the use.
  const history = await s.admin('GET', `/v1/admin/audit/history/${u.username}`);
  assert.is(history.status, 200, history.text);
  const types = (history.body.events as { type: string }[]).map((e) => e.type);
  for (const type of ['EmailVerificationStarted', 'EmailConfirmed', 'EmailCodeRequested', 'EmailCodeIssued', 'EmailCodeDelivered', 'ChallengeCompleted', 'LoginSucceeded']) {
    assert.ok(types.includes(type), type);
  }
});

t('TOTP and e-mail enrolled: both methods offered, either completes', async () => {
  const u = await createEmailUser(s, sink, { totp: true });
  const { mfaToken, code } = await mailedLogin(s, sink, u);
  const first = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password } });
  assert.equal(first.body.mfa_methods, ['totp', 'email']);
  assert.is((await s.call('POST', '/v1/login/mfa', { json: { mfa_token: mfaToken, email_code: code } })).status, 200);
});

t('a wrong code counts on the account failure counter and the challenge cap; the right one still completes', async () => {
  const u = await createEmailUser(s, sink);
  const { mfaToken, code } = await mailedLogin(s, sink, u);
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  const r = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: mfaToken, email_code: wrong } });
  assert.is(r.status, 401);
  assert.equal(r.body, { error: 'invalid_otp', message: 'Invalid code.', attempts_remaining: 4 });
  const malformed = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: mfaToken, email_code: 123456 } });
  assert.is(malformed.body.attempts_remaining, 3);
  const account = await streamEvents(s, `account-${u.id}`);
  assert.equal(
    account.filter((e) => e.type === 'OtpRejected').map((e) => e.data),
    [
      { reason: 'invalid', failures: 1 },
      { reason: 'malformed', failures: 2 },
    ],
  );
  assert.is((await s.call('POST', '/v1/login/mfa', { json: { mfa_token: mfaToken, email_code: code } })).status, 200);
});

t('a code is single use: once it completed its challenge, it and the token are dead', async () => {
  const u = await createEmailUser(s, sink);
  const { mfaToken, code } = await mailedLogin(s, sink, u);
  assert.is((await s.call('POST', '/v1/login/mfa', { json: { mfa_token: mfaToken, email_code: code } })).status, 200);
  const again = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: mfaToken, email_code: code } });
  assert.is(again.status, 401);
  assert.is(again.body.error, 'invalid_mfa_token');
});

t("a code is bound to its challenge: another challenge's code is a wrong code there", async () => {
  const u = await createEmailUser(s, sink);
  const a = await mailedLogin(s, sink, u);
  const b = await mailedLogin(s, sink, u);
  // Two independent draws of 10^6: equal about once in a million runs.
  assert.is.not(a.code, b.code);
  const r = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: b.mfaToken, email_code: a.code } });
  assert.is(r.body.error, 'invalid_otp');
  assert.is((await s.call('POST', '/v1/login/mfa', { json: { mfa_token: b.mfaToken, email_code: b.code } })).status, 200);
});

t('a code expires: valid a millisecond before its expiry, a wrong code at it', async () => {
  const u = await createEmailUser(s, sink);
  const early = await mailedLogin(s, sink, u);
  s.clock.advance(120_000 - 1);
  assert.is((await s.call('POST', '/v1/login/mfa', { json: { mfa_token: early.mfaToken, email_code: early.code } })).status, 200);
  // A challenge lives 300 s, longer than this server's 120 s codes: the challenge outlives its code.
  const late = await mailedLogin(s, sink, u);
  s.clock.advance(120_000);
  const r = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: late.mfaToken, email_code: late.code } });
  assert.is(r.status, 401);
  assert.is(r.body.error, 'invalid_otp');
});

t('a resend is refused while the code is live (409 code_pending, no mail), and recorded', async () => {
  const u = await createEmailUser(s, sink);
  const { mfaToken } = await mailedLogin(s, sink, u);
  const before = sink.received;
  const again = await s.call('POST', '/v1/login/mfa/email', { json: { mfa_token: mfaToken } });
  assert.is(again.status, 409);
  assert.is(again.body.error, 'code_pending');
  assert.ok(again.body.retry_after >= 1 && again.body.retry_after <= 120, String(again.body.retry_after));
  // No Retry-After: another user's send from this address is not refused early.
  assert.is(again.headers.get('retry-after'), null);
  const other = await createEmailUser(s, sink);
  await mailedLogin(s, sink, other);
  assert.is(sink.received, before + 2);
  const events = await streamEvents(s, challengeStream(mfaToken));
  assert.ok(events.some((e) => e.type === 'ChallengeRefused' && e.data.reason === 'email_pending'));
});

t('the message: text and HTML parts, the issuer, the code, its expiry, and no link', async () => {
  const u = await createEmailUser(s, sink);
  const { code } = await mailedLogin(s, sink, u);
  const mail = sink.messages.at(-1)!;
  assert.is(mail.subject, 'Latchkey sign-in code');
  assert.is(mail.from?.value[0]?.address, 'latchkey@example.org');
  const html = typeof mail.html === 'string' ? mail.html : '';
  for (const part of [mail.text ?? '', html]) {
    assert.ok(part.includes('Latchkey'), 'issuer');
    assert.ok(part.includes(code), 'code');
    assert.ok(part.includes('expires in 2 minutes'), 'expiry');
    assert.ok(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/.test(part), 'expiry time');
    assert.not.ok(/https?:|href|<a[\s>]|www\./i.test(part), 'a link');
  }
  assert.ok(html.length > 0);
});

t('an invalid token on the send call is the invalid-token answer, and no mail', async () => {
  const before = sink.received;
  const r = await s.call('POST', '/v1/login/mfa/email', { json: { mfa_token: 'not-a-token' } });
  assert.is(r.status, 401);
  assert.is(r.body.error, 'invalid_mfa_token');
  assert.is(sink.received, before);
});

t.run();
