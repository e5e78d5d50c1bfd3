import type { BenchClient } from './http-client.js';
import { base32Bytes, totpCode } from './totp-code.js';

export interface BenchUser {
  readonly username: string;
  /** The seed's bytes, decoded once. */
  readonly key: Buffer;
  /** Highest TOTP step this user has spent (the server refuses it and anything earlier). */
  lastStep: number;
}

export const benchPassword = 'bench-password-not-secret';
const step = (ms: number) => Math.floor(ms / 30_000);

/**
 * A code for the earliest unspent step from the current one on (the window allows one more), or null when this user
 * must wait. Never the previous step: if a step boundary passes before the server checks it, it would be two old.
 */
export const nextCode = (u: BenchUser): string | null => {
  const now = Date.now();
  const s = Math.max(step(now), u.lastStep + 1);
  if (s > step(now) + 1) return null;
  u.lastStep = s;
  return totpCode(u.key, s);
};

/**
 * Users with a confirmed TOTP factor, imported with one precomputed PHC string (docs/api.md: password_hash is the
 * migration path), so creating them costs no argon2 and the benchmark measures logins, not set-up.
 */
export const createBenchUsers = async (client: BenchClient, adminKey: string, phc: string, count: number, prefix: string): Promise<BenchUser[]> => {
  const users: BenchUser[] = [];
  const make = async (i: number) => {
    const username = `${prefix}${i}`;
    const created = await client.call('POST', '/v1/admin/users', { username, password_hash: phc }, adminKey);
    if (created.status !== 201) throw new Error(`create user: ${created.status}`);
    const enrol = await client.call('POST', `/v1/admin/users/${username}/totp`, undefined, adminKey);
    const user: BenchUser = { username, key: base32Bytes(enrol.body.secret), lastStep: 0 };
    const code = nextCode(user)!;
    const confirm = await client.call('POST', `/v1/admin/users/${username}/totp/confirm`, { otp: code }, adminKey);
    if (confirm.status !== 204) throw new Error(`confirm: ${confirm.status}`);
    users.push(user);
  };
  for (let i = 0; i < count; i += 16) await Promise.all(Array.from({ length: Math.min(16, count - i) }, (_, k) => make(i + k)));
  return users;
};

/** Round-robin over users, skipping those whose next step is not yet open. */
export class UserRing {
  private readonly users: BenchUser[];
  private i = 0;
  constructor(users: BenchUser[]) {
    this.users = users;
  }
  /** The next user in turn, without spending a code (password steps that will not reach a second step). */
  peek(): { user: BenchUser } {
    return { user: this.users[this.i++ % this.users.length]! };
  }

  codeFor(user: BenchUser): string | null {
    return nextCode(user);
  }

  /** Gives back the code of a login that never reached its second step, so a shed attempt costs no TOTP step. */
  release(user: BenchUser, code: string): void {
    if (totpCode(user.key, user.lastStep) === code) user.lastStep -= 1;
  }

  next(): { user: BenchUser; code: string } {
    for (let tries = 0; tries < this.users.length; tries++) {
      const user = this.users[this.i++ % this.users.length]!;
      const code = nextCode(user);
      if (code !== null) return { user, code };
    }
    throw new Error('every bench user has spent its open TOTP steps: create more users');
  }
}
