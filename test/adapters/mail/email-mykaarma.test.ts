import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { challengeStream, createEmailUser, eventually, streamEvents } from '../../helpers/email-user.js';
import { SmtpSink, codeOf, mailEnv } from '../../helpers/smtp-sink.js';
import { type TestServer, codeNow, createUser, startTestServer } from '../../helpers/test-server.js';

/** docs/dialects/mykaarma.md: `mfaType: "EMAIL"` mails a code, `emailToken` completes like `token` (remember-device included). */
const t = suite('e-mail codes over SMTP: myKaarma');
let sink: SmtpSink;
let s: TestServer;

t.before(async () => {
  sink = await SmtpSink.start();
  s = await startTestServer({ env: mailEnv(sink, { LATCHKEY_EMAIL_PER_ADDRESS_PER_HOUR: '64' }) });
});
t.after(async () => {
  await s.close();
  await sink.stop();
});

const validate = (userName: string, json: unknown) => s.call('POST', `/manage/v2/user/${encodeURIComponent(userName)}/validatepasswordonly`, { json });

t('an account whose factor is e-mail: the password call mails a code, emailToken completes it and remembers the device', async () => {
  const u = await createEmailUser(s, sink);
  const before = sink.messages.length;
  const first = await validate(u.username, { password: u.password });
  assert.is(first.status, 200, first.text);
  assert.is(first.body.mfaRequired, true);
  assert.is(first.body.mfaType, 'EMAIL');
  const code = codeOf(await sink.message(before + 1));
  const done = await validate(u.username, { password: u.password, sessionToken: first.body.sessionToken, emailToken: code, mfaRememberDevice: true });
  assert.is(done.status, 200, done.text);
  assert.is(done.body.mfaRequired, false);
  assert.is(done.body.user.userName, u.username);
  assert.type(done.body.userMFARememberMeToken, 'string');
  const account = await streamEvents(s, `account-${u.id}`);
  assert.equal(account.filter((e) => e.type === 'LoginSucceeded').at(-1)!.data, { aal: 'aal2', method: 'password+email' });
  // The remembered device stands in for the e-mail code next time, as it does for TOTP: no mail.
  const received = sink.received;
  const again = await validate(u.username, { password: u.password, userMFARememberMeToken: done.body.userMFARememberMeToken });
  assert.is(again.body.mfaBypassReason, 'REMEMBERED_DEVICE');
  assert.is(sink.received, received);
});

t('an account with TOTP and e-mail: TOTP unless the caller asks for EMAIL', async () => {
  const u = await createEmailUser(s, sink, { totp: true });
  const received = sink.received;
  const totp = await validate(u.username, { password: u.password });
  assert.is(totp.body.mfaType, 'TOTP');
  assert.is((await validate(u.username, { password: u.password, sessionToken: totp.body.sessionToken, token: codeNow(s, u) })).status, 200);
  assert.is(sink.received, received);
  const before = sink.messages.length;
  const email = await validate(u.username, { password: u.password, mfaType: 'EMAIL' });
  assert.is(email.body.mfaType, 'EMAIL');
  const code = codeOf(await sink.message(before + 1));
  assert.is((await validate(u.username, { password: u.password, sessionToken: email.body.sessionToken, emailToken: code })).status, 200);
});

t('a wrong emailToken is the one credentials error, counted like a wrong TOTP code', async () => {
  const u = await createEmailUser(s, sink);
  const before = sink.messages.length;
  const first = await validate(u.username, { password: u.password });
  const code = codeOf(await sink.message(before + 1));
  const wrong = await validate(u.username, { password: u.password, sessionToken: first.body.sessionToken, emailToken: code === '000000' ? '111111' : '000000' });
  assert.is(wrong.status, 401);
  assert.is(wrong.body.errors[0].errorTitle, 'INVALID_CREDENTIALS');
  assert.ok((await streamEvents(s, `account-${u.id}`)).some((e) => e.type === 'OtpRejected' && e.data.failures === 1));
  assert.is((await validate(u.username, { password: u.password, sessionToken: first.body.sessionToken, emailToken: code })).status, 200);
});

t('EMAIL asked for by an account without an address: the same answer, the same events, no mail', async () => {
  const withAddress = await createEmailUser(s, sink, { totp: true });
  const without = await createUser(s);
  const received = sink.received;
  const a = await validate(withAddress.username, { password: withAddress.password, mfaType: 'EMAIL' });
  const b = await validate(without.username, { password: without.password, mfaType: 'EMAIL' });
  const shape = (r: typeof a) => ({ ...r.body, apiRequestId: null, sessionToken: typeof r.body.sessionToken });
  assert.equal(shape(a), shape(b));
  await sink.waitForReceived(received + 1);
  await eventually(s, challengeStream(a.body.sessionToken), 'EmailCodeDelivered');
  const typesA = (await streamEvents(s, challengeStream(a.body.sessionToken))).map((e) => e.type);
  const eventsB = await streamEvents(s, challengeStream(b.body.sessionToken));
  assert.equal(typesA, ['ChallengeIssued', 'EmailCodeIssued', 'EmailCodeDelivered']);
  assert.equal(eventsB.map((e) => e.type), ['ChallengeIssued', 'EmailCodeIssued']);
  assert.is(eventsB[1]!.data.outbox, null);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.is(sink.received, received + 1);
});

t.run();
