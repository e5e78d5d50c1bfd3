import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { challengeStream, createEmailUser, eventually, mailedLogin } from '../../helpers/email-user.js';
import { SmtpSink, codeOf, mailEnv } from '../../helpers/smtp-sink.js';
import { startTestServer } from '../../helpers/test-server.js';

/**
 * Issue 20's canary scan: no login code, no address-verification code and no SMTP password in the log, the
 * projections, the server's output or the database files (as secrets-at-rest.test.ts does for passwords and seeds).
 * Codes are looked for as the JSON strings they would be in a row or a log line (`"123456"`): six bare digits turn up
 * in any large binary by chance.
 */
test('no e-mail code, verification code or SMTP password at rest or in the output', async () => {
  const sink = await SmtpSink.start();
  const s = await startTestServer({ env: { ...mailEnv(sink), LOG_LEVEL: 'debug' } });
  const quoted: string[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const before = sink.messages.length;
      const u = await createEmailUser(s, sink);
      quoted.push(`"${codeOf(sink.messages[before]!)}"`);
      // A refusal, then a delivery: the failure path's output is scanned too.
      sink.refuseNext(1, 554);
      const { mfaToken, code } = await mailedLogin(s, sink, u);
      quoted.push(`"${code}"`);
      await eventually(s, challengeStream(mfaToken), 'EmailCodeDelivered');
      await s.call('POST', '/v1/login/mfa', { json: { mfa_token: mfaToken, email_code: '000000' } });
      assert.is((await s.call('POST', '/v1/login/mfa', { json: { mfa_token: mfaToken, email_code: code } })).status, 200);
    }
    const events = (await s.admin('GET', '/v1/admin/events?limit=1000')).text;
    assert.ok(events.includes('EmailCodeDelivered'));
    await s.running.engine.outbox!.idle();
    const files = ['latchkey.db', 'latchkey.db-wal'].map((f) => join(s.dataDir, f)).filter(existsSync);
    assert.ok(files.length >= 1);
    const bytes = Buffer.concat([...files.map((f) => readFileSync(f)), readFileSync(s.logPath), Buffer.from(events)]);
    assert.ok(readFileSync(s.logPath).length > 0, 'the server wrote its output');
    assert.is(bytes.indexOf(Buffer.from(sink.password)), -1, 'the SMTP password was found');
    for (const q of quoted) {
      assert.is(bytes.indexOf(Buffer.from(q)), -1, `a mailed code ${q} was found`);
    }
  } finally {
    await s.close();
    await sink.stop();
  }
});

test.run();
