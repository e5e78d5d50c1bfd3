import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { challengeStream, createEmailUser, eventually, streamEvents } from '../../helpers/email-user.js';
import { SmtpSink, codeOf, mailEnv } from '../../helpers/smtp-sink.js';
import { startThrowawayPostgres } from '../../helpers/throwaway-postgres.js';
import { type TestServer, type TestUser, createUser, startTestServer } from '../../helpers/test-server.js';

/**
 * The outbox's failure paths over a real SMTP server (docs/security.md §38–§40): refusals retried with their events,
 * a server down at send time and up later (delivered once), the send limits per account and per client address (also
 * across two nodes on one PostgreSQL), and the same answer for an account with and without an address.
 */
const t = suite('e-mail codes: failures, limits, enumeration');

const stepOne = async (s: TestServer, u: TestUser, headers: Record<string, string> = {}): Promise<string> => {
  const r = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password }, headers });
  assert.is(r.status, 200, r.text);
  return r.body.mfa_token as string;
};
const send = (s: TestServer, mfaToken: string, headers: Record<string, string> = {}) => s.call('POST', '/v1/login/mfa/email', { json: { mfa_token: mfaToken }, headers });

t('a server that refuses (5xx) then accepts: each refusal recorded with its reply code, delivered once, counted in /metrics', async () => {
  const sink = await SmtpSink.start();
  const s = await startTestServer({ env: mailEnv(sink) });
  try {
    const u = await createEmailUser(s, sink);
    sink.refuseNext(2, 550);
    const token = await stepOne(s, u);
    assert.is((await send(s, token)).status, 202);
    const events = await eventually(s, challengeStream(token), 'EmailCodeDelivered');
    assert.equal(
      events.filter((e) => e.type.startsWith('Email')).map((e) => [e.type, e.data.attempt, e.data.smtpCode, e.data.final]),
      [
        ['EmailCodeIssued', undefined, undefined, undefined],
        ['EmailDeliveryFailed', 1, 550, false],
        ['EmailDeliveryFailed', 2, 550, false],
        ['EmailCodeDelivered', 3, undefined, undefined],
      ],
    );
    assert.is(sink.received, 1 + 3, 'the verification mail and three attempts');
    const code = codeOf(sink.messages.at(-1)!);
    assert.is((await s.call('POST', '/v1/login/mfa', { json: { mfa_token: token, email_code: code } })).status, 200);
    const metrics = (await s.call('GET', '/metrics')).text;
    assert.match(metrics, /^latchkey_mail_total\{result="retried"\} 2$/m);
    assert.match(metrics, /^latchkey_mail_total\{result="sent"\} 2$/m);
  } finally {
    await s.close();
    await sink.stop();
  }
});

t('refused on every attempt: the last failure is final, and the challenge may ask for a new code at once', async () => {
  const sink = await SmtpSink.start();
  const s = await startTestServer({ env: mailEnv(sink, { LATCHKEY_MAIL_ATTEMPTS: '3' }) });
  try {
    const u = await createEmailUser(s, sink);
    sink.refuseNext(3, 451);
    const token = await stepOne(s, u);
    await send(s, token);
    const deadline = Date.now() + 10_000;
    let failures: { data: any }[] = [];
    while (Date.now() < deadline && !failures.some((e) => e.data.final)) {
      failures = (await streamEvents(s, challengeStream(token))).filter((e) => (e as { type: string }).type === 'EmailDeliveryFailed');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.equal(failures.map((e) => [e.data.attempt, e.data.final]), [[1, false], [2, false], [3, true]]);
    assert.match((await s.call('GET', '/metrics')).text, /^latchkey_mail_total\{result="failed"\} 1$/m);
    assert.is((await send(s, token)).status, 202);
    const code = codeOf(await sink.message(2));
    assert.is((await s.call('POST', '/v1/login/mfa', { json: { mfa_token: token, email_code: code } })).status, 200);
  } finally {
    await s.close();
    await sink.stop();
  }
});

t('a server down at send time and up later: connection failures recorded (no reply code), then delivered once', async () => {
  const sink = await SmtpSink.start();
  const s = await startTestServer({ env: mailEnv(sink, { LATCHKEY_MAIL_RETRY_BASE_MS: '300', LATCHKEY_MAIL_ATTEMPTS: '6' }) });
  try {
    const u = await createEmailUser(s, sink);
    const token = await stepOne(s, u);
    await sink.stop();
    const answered = await send(s, token);
    assert.is(answered.status, 202, 'the answer does not wait for SMTP');
    await eventually(s, challengeStream(token), 'EmailDeliveryFailed');
    await sink.listen();
    const events = await eventually(s, challengeStream(token), 'EmailCodeDelivered');
    const failed = events.filter((e) => e.type === 'EmailDeliveryFailed');
    assert.ok(failed.length >= 1);
    assert.ok(failed.every((e) => e.data.smtpCode === 0 && e.data.final === false));
    await s.running.engine.outbox!.idle();
    assert.is(sink.messages.length, 2, 'the verification mail and the code, once');
    assert.is(events.filter((e) => e.type === 'EmailCodeDelivered').length, 1);
    assert.is((await s.call('POST', '/v1/login/mfa', { json: { mfa_token: token, email_code: codeOf(sink.messages[1]!) } })).status, 200);
  } finally {
    await s.close();
    await sink.stop();
  }
});

t('per-account and per-address limits: the limit-th send goes, the next is a 429; the address 429 says Retry-After; an hour later both reopen', async () => {
  const sink = await SmtpSink.start();
  const s = await startTestServer({ env: mailEnv(sink, { LATCHKEY_EMAIL_PER_ACCOUNT_PER_HOUR: '2', LATCHKEY_EMAIL_PER_ADDRESS_PER_HOUR: '3' }) });
  try {
    const a = await createEmailUser(s, sink);
    for (let i = 0; i < 2; i++) assert.is((await send(s, await stepOne(s, a))).status, 202);
    const overAccount = await stepOne(s, a);
    const refused = await send(s, overAccount);
    assert.is(refused.status, 429);
    assert.is(refused.body.error, 'throttled');
    // The account's limit is no verdict on the address: no Retry-After for the early refusals to hold it by (§37).
    assert.is(refused.headers.get('retry-after'), null);
    assert.ok(refused.body.retry_after > 3500 && refused.body.retry_after <= 3600, String(refused.body.retry_after));
    assert.ok((await streamEvents(s, challengeStream(overAccount))).some((e) => e.type === 'ChallengeRefused' && e.data.reason === 'email_account_limit'));
    const b = await createEmailUser(s, sink);
    assert.is((await send(s, await stepOne(s, b))).status, 202);
    const c = await createEmailUser(s, sink);
    const overAddress = await stepOne(s, c);
    const received = sink.received;
    const byAddress = await send(s, overAddress);
    assert.is(byAddress.status, 429);
    assert.ok(Number(byAddress.headers.get('retry-after')) > 3500);
    assert.ok((await streamEvents(s, challengeStream(overAddress))).some((e) => e.type === 'ChallengeRefused' && e.data.reason === 'email_address_limit'));
    // Another client address (a trusted proxy would name it; here the limit's key is all 127.0.0.1 has) is not this one's:
    assert.is(sink.received, received, 'no mail beyond a limit');
    s.clock.advance(3600_000);
    const later = await stepOne(s, a);
    assert.is((await send(s, later)).status, 202);
  } finally {
    await s.close();
    await sink.stop();
  }
});

t('an account with an address and one without: the same answer to the send call, the same events, no mail for the latter', async () => {
  const sink = await SmtpSink.start();
  const s = await startTestServer({ env: mailEnv(sink) });
  try {
    const withAddress = await createEmailUser(s, sink, { totp: true });
    const without = await createUser(s);
    const [ta, tb] = [await stepOne(s, withAddress), await stepOne(s, without)];
    const received = sink.received;
    const [a, b] = [await send(s, ta), await send(s, tb)];
    assert.is(a.status, b.status);
    assert.is(a.text, b.text);
    await eventually(s, challengeStream(ta), 'EmailCodeDelivered');
    await s.running.engine.outbox!.idle();
    assert.is(sink.received, received + 1);
    const [ea, eb] = [await streamEvents(s, challengeStream(ta)), await streamEvents(s, challengeStream(tb))];
    assert.equal(ea.slice(0, 2).map((e) => e.type), eb.map((e) => e.type));
    assert.equal(Object.keys(ea[1]!.data).sort(), Object.keys(eb[1]!.data).sort());
    // The same second call too: a resend is refused for both while their code is live.
    const [ra, rb] = [await send(s, ta), await send(s, tb)];
    assert.is(ra.status, 409);
    assert.is(ra.text.replace(/"retry_after":\d+/, ''), rb.text.replace(/"retry_after":\d+/, ''));
    // A guess at the code that was never sent is counted like any wrong code.
    const guess = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: tb, email_code: '123456' } });
    assert.is(guess.body.error, 'invalid_otp');
  } finally {
    await s.close();
    await sink.stop();
  }
});

t('the limits are folds of the shared log: two nodes on one PostgreSQL count the same sends', async () => {
  const sink = await SmtpSink.start();
  const postgres = await startThrowawayPostgres();
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'latchkey-mail-pg-')));
  for (const d of dirs) writeFileSync(join(d, 'signing-key.pem'), pem, { mode: 0o600 });
  const env = mailEnv(sink, { LATCHKEY_DATABASE_URL: postgres.url, LATCHKEY_SECRET_KEY: randomBytes(32).toString('hex'), LATCHKEY_EMAIL_PER_ADDRESS_PER_HOUR: '3' });
  const adminKey = randomBytes(24).toString('base64url');
  const [n1, n2] = [
    await startTestServer({ dataDir: dirs[0]!, adminKey, env: { ...env, LATCHKEY_NODE_NAME: 'node-1' } }),
    await startTestServer({ dataDir: dirs[1]!, adminKey, env: { ...env, LATCHKEY_NODE_NAME: 'node-2' } }),
  ];
  try {
    const users = [await createEmailUser(n1, sink), await createEmailUser(n1, sink), await createEmailUser(n1, sink), await createEmailUser(n1, sink)];
    assert.is((await send(n1, await stepOne(n1, users[0]!))).status, 202);
    assert.is((await send(n2, await stepOne(n2, users[1]!))).status, 202);
    assert.is((await send(n1, await stepOne(n1, users[2]!))).status, 202);
    const fourth = await send(n2, await stepOne(n2, users[3]!));
    assert.is(fourth.status, 429, 'the second node saw the first node\'s sends');
    const outboxes = (await n1.admin('GET', '/v1/admin/events?limit=1000')).body.events.filter((e: { type: string }) => e.type === 'EmailCodeIssued').map((e: { data: { outbox: string } }) => e.data.outbox);
    assert.equal(outboxes, ['node-1', 'node-2', 'node-1']);
  } finally {
    await n1.close();
    await n2.close();
    postgres.destroy();
    await sink.stop();
  }
});

t.run();
