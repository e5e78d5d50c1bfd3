import * as assert from 'uvu/assert';
import { type SmtpSink, codeOf } from './smtp-sink.js';
import { type TestServer, type TestUser, createUser } from './test-server.js';

/** A user whose one second factor is a verified e-mail address (the verification code taken from the sink's mail). */
export const createEmailUser = async (s: TestServer, sink: SmtpSink, opts: { totp?: boolean; address?: string } = {}): Promise<TestUser & { address: string }> => {
  const u = await createUser(s, { totp: opts.totp ?? false });
  const address = opts.address ?? `${u.username}@example.org`;
  const before = sink.messages.length;
  const put = await s.admin('PUT', `/v1/admin/users/${u.username}/email`, { json: { email: address } });
  assert.is(put.status, 202, put.text);
  const mail = await sink.messageTo(address, before);
  const confirm = await s.admin('POST', `/v1/admin/users/${u.username}/email/confirm`, { json: { code: codeOf(mail) } });
  assert.is(confirm.status, 204, confirm.text);
  return { ...u, address };
};

/** Step 1 and the send call: the mfa_token and the code the sink received for it. */
export const mailedLogin = async (s: TestServer, sink: SmtpSink, u: TestUser): Promise<{ mfaToken: string; code: string }> => {
  const first = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password } });
  assert.is(first.status, 200, first.text);
  const before = sink.messages.length;
  const sent = await s.call('POST', '/v1/login/mfa/email', { json: { mfa_token: first.body.mfa_token } });
  assert.is(sent.status, 202, sent.text);
  return { mfaToken: first.body.mfa_token, code: codeOf(await sink.messageTo(`${u.username}@example.org`, before)) };
};

/** The events of one stream, through the admin API. */
export const streamEvents = async (s: TestServer, stream: string): Promise<{ type: string; data: any; meta: any }[]> => {
  const page = await s.admin('GET', `/v1/admin/events?stream=${encodeURIComponent(stream)}&limit=1000`);
  assert.is(page.status, 200);
  return page.body.events;
};

/** Waits until the stream holds an event of `type` (the outbox records after the answer). */
export const eventually = async (s: TestServer, stream: string, type: string, ms = 10_000): Promise<{ type: string; data: any }[]> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const events = await streamEvents(s, stream);
    if (events.some((e) => e.type === type)) return events;
    if (Date.now() > deadline) throw new Error(`no ${type} on ${stream}: ${events.map((e) => e.type).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/** The challenge stream a second-step token names. */
export const challengeStream = (mfaToken: string): string => `challenge-${mfaToken.split('.')[0]}`;
