import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type ServerProcess, startServerProcess } from '../../bench/server-process.js';
import { call } from '../helpers/http.js';
import { SmtpSink, codeOf, mailEnv } from '../helpers/smtp-sink.js';

/**
 * docs/security.md §38: a crash between EmailCodeIssued and its delivery. The clear code lived only in the killed
 * process's memory; the restarted server abandons it with an event (EmailCodeAbandoned), never sends it, and the same
 * challenge may ask for a new code, which is delivered and completes the login. The server is a child process killed
 * with SIGKILL; the SMTP server is real (smtp-server on 127.0.0.1).
 */
const cli = new URL('../../adapters/cli/main.js', import.meta.url).pathname;

type Child = ServerProcess;

const start = (dataDir: string, adminKey: string, env: Record<string, string>): Promise<Child> => startServerProcess(cli, dataDir, adminKey, env);

const exited = (c: Child): Promise<void> => new Promise((resolve) => (c.child.exitCode !== null || c.child.signalCode !== null ? resolve() : c.child.once('exit', () => resolve())));

const eventsOf = async (c: Child, adminKey: string, stream: string): Promise<{ type: string; data: any }[]> =>
  (await call(c.url, 'GET', `/v1/admin/events?limit=1000&stream=${encodeURIComponent(stream)}`, { token: adminKey })).body.events;

const until = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

test('38. SIGKILL between EmailCodeIssued and delivery: the restart abandons the code with an event, never sends it; a new one completes the login', async () => {
  const sink = await SmtpSink.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-mail-crash-'));
  const adminKey = randomBytes(24).toString('base64url');
  // The first attempt fails (the SMTP server is down) and the next waits a minute: the code sits in memory when killed.
  const env = mailEnv(sink, { LATCHKEY_MAIL_RETRY_BASE_MS: '60000', LATCHKEY_NODE_NAME: 'crash-node', LATCHKEY_THROTTLE_IP_BURST: '1000' });
  let server: Child | null = null;
  try {
    server = await start(dataDir, adminKey, env);
    const admin = (method: string, path: string, json?: unknown) => call(server!.url, method, path, { token: adminKey, ...(json === undefined ? {} : { json }) });
    const username = 'crash-mail-user';
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const created = await admin('POST', '/v1/admin/users', { username, password });
    assert.is(created.status, 201);
    assert.is((await admin('PUT', `/v1/admin/users/${username}/email`, { email: 'crash@example.org' })).status, 202);
    assert.is((await admin('POST', `/v1/admin/users/${username}/email/confirm`, { code: codeOf(await sink.message(1)) })).status, 204);

    const first = await call(server.url, 'POST', '/v1/login', { json: { username, password } });
    const mfaToken = first.body.mfa_token as string;
    const stream = `challenge-${mfaToken.split('.')[0]}`;
    await sink.stop();
    assert.is((await call(server.url, 'POST', '/v1/login/mfa/email', { json: { mfa_token: mfaToken } })).status, 202);
    await until('the first failed attempt', async () => ((await eventsOf(server!, adminKey, stream)).some((e) => e.type === 'EmailDeliveryFailed') ? true : undefined));
    server.child.kill('SIGKILL');
    await exited(server);
    assert.is(server.child.signalCode, 'SIGKILL');

    await sink.listen();
    server = await start(dataDir, adminKey, env);
    const after = await eventsOf(server, adminKey, stream);
    assert.equal(
      after.map((e) => e.type),
      ['ChallengeIssued', 'EmailCodeIssued', 'EmailDeliveryFailed', 'EmailCodeAbandoned'],
    );
    const issued = after[1]!.data;
    assert.equal(after[3]!.data, { codeId: issued.codeId, reason: 'restart' });
    // Never sent: not by the killed process (its retry died with it), not by the new one.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.is(sink.received, 1, 'only the verification mail ever reached the SMTP server');

    // The user asks again on the same challenge: a new code, delivered once, completes the login.
    assert.is((await call(server.url, 'POST', '/v1/login/mfa/email', { json: { mfa_token: mfaToken } })).status, 202);
    const code = codeOf(await sink.message(2));
    const done = await call(server.url, 'POST', '/v1/login/mfa', { json: { mfa_token: mfaToken, email_code: code } });
    assert.is(done.status, 200, done.text);
    const final = await eventsOf(server, adminKey, stream);
    assert.equal(final.slice(4).map((e) => e.type), ['EmailCodeIssued', 'EmailCodeDelivered', 'ChallengeCompleted']);

    // A second restart finds nothing more to abandon: the abandonment is recorded once.
    server.child.kill('SIGTERM');
    await exited(server);
    server = await start(dataDir, adminKey, env);
    assert.is((await eventsOf(server, adminKey, stream)).filter((e) => e.type === 'EmailCodeAbandoned').length, 1);
    server.child.kill('SIGTERM');
    await exited(server);
    server = null;
    const replay = spawnSync(process.execPath, [cli, 'replay'], { env: { ...process.env, LATCHKEY_DATA_DIR: dataDir }, encoding: 'utf8', timeout: 60_000 });
    assert.is(replay.status, 0, replay.stdout + replay.stderr);
  } finally {
    if (server !== null) {
      server.child.kill('SIGKILL');
      await exited(server);
    }
    await sink.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
