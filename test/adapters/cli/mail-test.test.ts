import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SmtpSink, mailEnv } from '../../helpers/smtp-sink.js';

/** `latchkey mail test ADDRESS` against a real SMTP server; asynchronous, so the sink in this process can answer. */
const cli = new URL('../../../adapters/cli/main.js', import.meta.url).pathname;

const run = (args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });

test('mail test: one message to the address through the configured server; the SMTP password is never printed', async () => {
  const sink = await SmtpSink.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-mail-cli-'));
  try {
    const env = { ...mailEnv(sink), LATCHKEY_DATA_DIR: dataDir };
    const r = await run(['mail', 'test', 'you@example.org'], env);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /^sent to you@example\.org from Latchkey <latchkey@example\.org>: 250 /);
    const mail = await sink.message(1);
    assert.is(mail.subject, 'Latchkey test message');
    assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : [], ['you@example.org']);
    sink.refuseNext(1, 550);
    const refused = await run(['mail', 'test', 'you@example.org'], env);
    assert.is(refused.status, 1);
    assert.match(refused.stderr, /not sent \(SMTP 550\)/);
    for (const out of [r.stdout, r.stderr, refused.stdout, refused.stderr]) assert.not.ok(out.includes(sink.password));
    const bad = await run(['mail', 'test', 'not-an-address'], env);
    assert.is(bad.status, 2);
    const unconfigured = await run(['mail', 'test', 'you@example.org'], { LATCHKEY_DATA_DIR: dataDir, LATCHKEY_SMTP_URL: '' });
    assert.is(unconfigured.status, 1);
    assert.match(unconfigured.stderr, /e-mail is not configured: set LATCHKEY_SMTP_URL/);
  } finally {
    await sink.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('mail test over STARTTLS: taken when the server offers it; an untrusted certificate sends nothing in clear', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-mail-tls-'));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const sink = await SmtpSink.start({ key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') });
  try {
    const env = { ...mailEnv(sink), LATCHKEY_DATA_DIR: dir };
    const trusted = await run(['mail', 'test', 'you@example.org'], { ...env, NODE_EXTRA_CA_CERTS: cert });
    assert.is(trusted.status, 0, trusted.stderr);
    assert.equal(sink.secure, [true]);
    const untrusted = await run(['mail', 'test', 'you@example.org'], env);
    assert.is(untrusted.status, 1);
    assert.match(untrusted.stderr, /not sent \(no SMTP reply\)/);
    assert.is(sink.received, 1, 'nothing was sent without TLS');
  } finally {
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
