import { execFileSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePhc } from '../../../core/phc.js';
import { defaultPolicy } from '../../../core/policy.js';
import { type TestServer, startTestServer } from '../../helpers/test-server.js';

/**
 * docs/api.md: `password_hash` takes an existing argon2id/argon2i PHC string (migration); hashes below the policy's cost
 * are accepted and re-hashed at the policy's cost on the next successful login (OWASP Password Storage), with an
 * event that records the upgrade. The PHC strings come from the reference `argon2` CLI (Debian package), an
 * independent implementation.
 */
const t = suite<{ s: TestServer }>('password import and re-hash');
t.before(async (ctx) => {
  ctx.s = await startTestServer();
});
t.after(async (ctx) => ctx.s.close());

/** `-m 10` is 2^10 KiB: well below the policy's 19 MiB, so the import must be re-hashed. */
const cliPhc = (password: string, variant: '-id' | '-i'): string =>
  execFileSync('argon2', ['importsalt16byte', variant, '-m', '10', '-t', '1', '-p', '1', '-e'], { input: password, encoding: 'utf8' }).trim();

const accountEvents = async (s: TestServer, username: string) => {
  const all = (await s.admin('GET', '/v1/admin/events?limit=1000')).body.events as { stream: string; type: string; data: any }[];
  const registered = all.find((e) => e.type === 'AccountRegistered' && e.data.username === username)!;
  return all.filter((e) => e.stream === registered.stream);
};

for (const variant of ['-id', '-i'] as const) {
  t(`an argon2${variant.slice(1)} PHC string from the argon2 CLI imports, logs in, and is re-hashed at the policy's cost once`, async ({ s }) => {
    const username = `imported${variant.replace('-', '')}`;
    const password = 'migrated password, exactly as typed';
    const phc = cliPhc(password, variant);
    assert.ok(parsePhc(phc)!.memoryKiB < defaultPolicy.argon2.memoryKiB);
    const created = await s.admin('POST', '/v1/admin/users', { json: { username, password_hash: phc, mfa: 'exempt' } });
    assert.is(created.status, 201, created.text);

    // A wrong password neither logs in nor upgrades anything.
    assert.is((await s.call('POST', '/v1/login', { json: { username, password: `${password}!` } })).status, 401);
    assert.not.ok((await accountEvents(s, username)).some((e) => e.type === 'PasswordRehashed'));

    const first = await s.call('POST', '/v1/login', { json: { username, password } });
    assert.is(first.status, 200, first.text);
    const rehashed = (await accountEvents(s, username)).filter((e) => e.type === 'PasswordRehashed');
    assert.is(rehashed.length, 1);
    const upgraded = parsePhc(rehashed[0]!.data.passwordHash)!;
    assert.equal(upgraded, { algorithm: 'argon2id', ...defaultPolicy.argon2 });
    assert.is.not(rehashed[0]!.data.passwordHash, phc);

    // The upgraded hash verifies, and is not upgraded again.
    assert.is((await s.call('POST', '/v1/login', { json: { username, password } })).status, 200);
    assert.is((await accountEvents(s, username)).filter((e) => e.type === 'PasswordRehashed').length, 1);
  });
}

t('argon2d, other algorithms and malformed strings are refused at import', async ({ s }) => {
  const argon2d = execFileSync('argon2', ['importsalt16byte', '-d', '-m', '10', '-t', '1', '-e'], { input: 'x', encoding: 'utf8' }).trim();
  for (const password_hash of [argon2d, '$2b$12$abcdefghijklmnopqrstuuv7bZ6d3wqCqXjzq9n1d2Kf5c0WcLxqC', '$argon2id$v=19$m=19456$abc$def', 'plain text']) {
    const r = await s.admin('POST', '/v1/admin/users', { json: { username: `refused${Math.random().toString(36).slice(2, 8)}`, password_hash } });
    assert.is(r.status, 400, password_hash.slice(0, 12));
    assert.is(r.body.error, 'unsupported_hash');
  }
});

t.run();
