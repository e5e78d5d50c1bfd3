import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestServer, type TestUser, codeNow, createUser, startTestServer } from '../../helpers/test-server.js';

const cli = new URL('../../../adapters/cli/main.js', import.meta.url).pathname;

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `latchkey …` on a data dir, as an operator runs it (a process of its own, only the data dir in its environment). */
export const latchkey = (dataDir: string, ...args: string[]): CliRun => {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', LATCHKEY_DATA_DIR: dataDir };
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

export interface RealLog {
  readonly dataDir: string;
  readonly user: TestUser;
  /** Everything secret that crossed the wire while the log was made: none of it may appear in any audit output. */
  readonly secrets: readonly string[];
  /** The TOTP codes used (6 digits: looked for as JSON strings or cells, not as bare digits, which hashes contain). */
  readonly codes: readonly string[];
}

/**
 * A log made by the real server over HTTP, then the server stopped: alice with TOTP logs in in two steps remembering
 * the device, refreshes her token, uses the device; 2 wrong passwords from her; 6 wrong passwords for bob (a lock and
 * a refusal); 1 attempt on the unknown name "Ghost"; an admin unlock of bob.
 */
export const makeRealLog = async (): Promise<RealLog> => {
  const s: TestServer = await startTestServer({ dataDir: mkdtempSync(join(tmpdir(), 'latchkey-audit-cli-')) });
  try {
    const alice = await createUser(s, { username: 'alice', password: 'canary-Password-7f3a9c' });
    const bob = await createUser(s, { username: 'bob', password: 'canary-Password-b0b0b0' });
    const codes: string[] = [];
    const first = await s.call('POST', '/v1/login', { json: { username: 'alice', password: alice.password } });
    const code = codeNow(s, alice);
    codes.push(code);
    const second = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: first.body.mfa_token, otp: code, remember_device: true } });
    if (second.status !== 200) throw new Error(`fixture login: ${second.status} ${second.text}`);
    const refreshed = await s.call('POST', '/v1/token/refresh', { token: second.body.access_token });
    s.clock.advance(60_000);
    const viaDevice = await s.call('POST', '/v1/login', { json: { username: 'alice', password: alice.password, device_token: second.body.device_token } });
    for (let i = 0; i < 2; i++) await s.call('POST', '/v1/login', { json: { username: 'alice', password: 'wrong-canary' } });
    for (let i = 0; i < 6; i++) await s.call('POST', '/v1/login', { json: { username: 'bob', password: 'wrong-canary' } });
    await s.call('POST', '/v1/login', { json: { username: 'Ghost', password: 'ghost-canary-pw' } });
    s.clock.advance(60_000);
    await s.admin('POST', '/v1/admin/users/bob/unlock');
    const tokens = [first.body.mfa_token, second.body.access_token, second.body.device_token, refreshed.body.access_token, viaDevice.body.access_token, viaDevice.body.device_token];
    const secrets = [alice.password, bob.password, alice.secret!, bob.secret!, s.adminKey, 'ghost-canary-pw', ...tokens.filter((t): t is string => typeof t === 'string')];
    if (secrets.length < 11) throw new Error(`fixture: expected every token, got ${secrets.length - 6}`);
    return { dataDir: s.dataDir, user: alice, secrets, codes };
  } finally {
    await s.close({ keepData: true });
  }
};
