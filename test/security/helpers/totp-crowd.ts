import { BenchClient } from '../../../bench/http-client.js';
import { base32Bytes, totpCode } from '../../../bench/totp-code.js';
import type { TestServer } from '../../helpers/test-server.js';

/** A user of a crowd: the codes of the test clock's current and next step, each good for one login. */
export interface CrowdUser {
  readonly username: string;
  readonly password: string;
  readonly codes: string[];
}

const step = (ms: number) => Math.floor(ms / 30_000);

/**
 * `count` users with a confirmed TOTP factor, all with one password whose PHC string is hashed once (docs/api.md:
 * password_hash), so a crowd costs no argon2 to create. Codes are computed with node:crypto (bench/totp-code.ts),
 * an implementation independent of the server's otplib.
 */
export const createCrowd = async (s: TestServer, count: number, prefix: string): Promise<CrowdUser[]> => {
  const password = `crowd-${prefix}-password`;
  const phc = await s.running.engine.hasher.hash(password);
  const admin = new BenchClient(s.url, 8);
  const now = step(s.clock.now());
  try {
    const make = async (i: number): Promise<CrowdUser> => {
      const username = `${prefix}${i}`;
      const created = await admin.call('POST', '/v1/admin/users', { username, password_hash: phc }, s.adminKey);
      if (created.status !== 201) throw new Error(`create: ${created.status}`);
      const enrol = await admin.call('POST', `/v1/admin/users/${username}/totp`, undefined, s.adminKey);
      const key = base32Bytes(enrol.body.secret as string);
      // Confirmed with the previous step's code, so the current step is still unused.
      const confirm = await admin.call('POST', `/v1/admin/users/${username}/totp/confirm`, { otp: totpCode(key, now - 1) }, s.adminKey);
      if (confirm.status !== 204) throw new Error(`confirm: ${confirm.status}`);
      return { username, password, codes: [totpCode(key, now), totpCode(key, now + 1)] };
    };
    const users: CrowdUser[] = [];
    for (let i = 0; i < count; i += 8) users.push(...(await Promise.all(Array.from({ length: Math.min(8, count - i) }, (_, k) => make(i + k)))));
    return users;
  } finally {
    admin.close();
  }
};

/** The statuses of one complete two-step native login: the password step's, then (if it asked for one) the code's. */
export const crowdLogin = async (client: BenchClient, user: CrowdUser): Promise<{ first: number; second: number | null; ok: boolean }> => {
  const code = user.codes.shift();
  if (code === undefined) throw new Error(`${user.username} has spent its codes`);
  const first = await client.call('POST', '/v1/login', { username: user.username, password: user.password });
  if (first.status !== 200 || first.body?.status !== 'mfa_required') return { first: first.status, second: null, ok: false };
  const second = await client.call('POST', '/v1/login/mfa', { mfa_token: first.body.mfa_token, otp: code });
  return { first: first.status, second: second.status, ok: second.status === 200 && typeof second.body?.access_token === 'string' };
};
