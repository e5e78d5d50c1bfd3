import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Reply, call } from '../helpers/http.js';
import { oathtool } from '../helpers/oathtool.js';
import { jwtClaims } from './helpers/jwt-claims.js';

/**
 * docs/security.md §30 (sqlite.org/wal.html; pragma synchronous): `kill -9` during a login burst. The server runs as a
 * child process on its own data dir; every login it answered 200 must find its events after a restart, the hash
 * chain must verify and a full replay must equal the live projections (the CLI's `verify` and `replay`, exit 0).
 */
const cli = new URL('../../adapters/cli/main.js', import.meta.url).pathname;

interface Child {
  readonly url: string;
  readonly child: ChildProcess;
}

const start = async (dataDir: string, adminKey: string): Promise<Child> => {
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LATCHKEY_DATA_DIR: dataDir,
      LATCHKEY_ADMIN_KEY: adminKey,
      LOG_LEVEL: 'warn',
      LATCHKEY_THROTTLE_IP_BURST: '1000000',
      LATCHKEY_THROTTLE_ACCOUNT_BURST: '1000000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error('the server did not start')), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
  return { url, child };
};

const exited = (c: Child): Promise<void> => new Promise((resolve) => (c.child.exitCode !== null || c.child.signalCode !== null ? resolve() : c.child.once('exit', () => resolve())));

const latchkey = (dataDir: string, command: string) =>
  spawnSync(process.execPath, [cli, command], { env: { ...process.env, LATCHKEY_DATA_DIR: dataDir }, encoding: 'utf8', timeout: 60_000 });

interface Account {
  readonly username: string;
  readonly password: string;
  readonly secret: string | null;
}

const createAccounts = async (c: Child, adminKey: string, tag: string): Promise<Account[]> => {
  const admin = (method: string, path: string, json?: unknown) => call(c.url, method, path, { token: adminKey, ...(json === undefined ? {} : { json }) });
  const accounts: Account[] = [];
  for (let i = 0; i < 15; i++) {
    const totp = i % 5 === 4;
    const username = `crash-${tag}-${i}`;
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    assert.is((await admin('POST', '/v1/admin/users', { username, password, mfa: totp ? 'required' : 'exempt' })).status, 201);
    let secret: string | null = null;
    if (totp) {
      const enrol = await admin('POST', `/v1/admin/users/${username}/totp`);
      secret = enrol.body.secret as string;
      assert.is((await admin('POST', `/v1/admin/users/${username}/totp/confirm`, { otp: oathtool(secret, Date.now() - 30_000) })).status, 204);
    }
    accounts.push({ username, password, secret });
  }
  return accounts;
};

/** One login to the end: one request for an exempt user, password then code for a TOTP user. */
const loginOnce = async (c: Child, a: Account): Promise<Reply> => {
  const first = await call(c.url, 'POST', '/v1/login', { json: { username: a.username, password: a.password } });
  if (a.secret === null || first.body?.status !== 'mfa_required') return first;
  return call(c.url, 'POST', '/v1/login/mfa', { json: { mfa_token: first.body.mfa_token, otp: oathtool(a.secret, Date.now()) } });
};

/** Logins from 12 concurrent clients until `ackedBeforeKill` were answered 200, then SIGKILL at a random moment. */
const burstAndKill = async (c: Child, accounts: readonly Account[], ackedBeforeKill: number): Promise<{ acked: string[]; failed: number }> => {
  const acked: string[] = [];
  let failed = 0;
  let killed = false;
  const client = async (n: number) => {
    for (let i = n; !killed; i += 12) {
      try {
        const r = await loginOnce(c, accounts[i % accounts.length]!);
        // Only an answer that fully arrived counts as acknowledged.
        if (r.status === 200 && typeof r.body?.access_token === 'string') acked.push(r.body.access_token);
      } catch {
        failed++; // the connection died with the server
      }
    }
  };
  const clients = Array.from({ length: 12 }, (_, n) => client(n));
  while (acked.length < ackedBeforeKill) await new Promise((r) => setTimeout(r, 2));
  await new Promise((r) => setTimeout(r, Math.random() * 40));
  c.child.kill('SIGKILL');
  killed = true;
  await exited(c);
  await Promise.all(clients);
  return { acked, failed };
};

test('30. kill -9 during a login burst: after restart every acknowledged login has its events, the chain verifies, replay equals the live projections', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-crash-'));
  const adminKey = randomBytes(24).toString('base64url');
  const acked: string[] = [];
  let cut = 0;
  let server: Child | null = null;
  try {
    server = await start(dataDir, adminKey);
    const accounts = await createAccounts(server, adminKey, 'a');
    for (let round = 0; round < 2; round++) {
      const burst = await burstAndKill(server, accounts, 30);
      acked.push(...burst.acked);
      cut += burst.failed;
      assert.is(server.child.signalCode, 'SIGKILL');
      server = await start(dataDir, adminKey);
      // The restarted server serves the same log: each acknowledged token has its session, committed before the 200.
      for (const token of acked) {
        const { sid, jti, sub } = jwtClaims(token);
        const session = await call(server.url, 'GET', `/v1/admin/events?stream=${encodeURIComponent(`session-${sid}`)}`, { token: adminKey });
        const issued = (session.body.events as { type: string; data: { jti: string; accountId: string } }[]).find((e) => e.type === 'SessionIssued');
        assert.ok(issued, 'an acknowledged login lost its SessionIssued event');
        assert.is(issued!.data.accountId, sub);
        const account = await call(server.url, 'GET', `/v1/admin/events?stream=${encodeURIComponent(`account-${sub}`)}&limit=1000`, { token: adminKey });
        assert.ok((account.body.events as { type: string }[]).some((e) => e.type === 'LoginSucceeded'), 'its LoginSucceeded is there');
        if (issued!.data.jti === jti) {
          // Not refreshed since: the token itself still works after the crash.
          assert.is((await call(server.url, 'GET', '/v1/session', { token })).status, 200);
        }
      }
    }
    // The restarted server takes logins again.
    const after = await loginOnce(server, accounts[0]!);
    assert.is(after.status, 200);
    server.child.kill('SIGTERM');
    await exited(server);
    server = null;

    const verify = latchkey(dataDir, 'verify');
    assert.is(verify.status, 0, `latchkey verify: ${verify.stdout}${verify.stderr}`);
    assert.match(verify.stdout, /hash chain ok/);
    // A kill -9 can leave the checkpoint behind the log (docs/security.md §34): the restarts still served, and it ends level.
    assert.match(verify.stdout, /checkpoint ok/);
    const replay = latchkey(dataDir, 'replay');
    assert.is(replay.status, 0, `latchkey replay: ${replay.stdout}${replay.stderr}`);
    assert.match(replay.stdout, /equal/);
    assert.ok(cut > 0, 'the kills landed mid-burst: requests were in flight');
    console.log(`  ${acked.length} acknowledged logins over two kills (${cut} requests cut off), all found after restart`);
  } finally {
    if (server !== null) {
      server.child.kill('SIGKILL');
      await exited(server);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
