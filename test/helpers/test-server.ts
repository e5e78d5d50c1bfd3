import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, configFromEnv } from '../../adapters/config.js';
import { type Running, startServer } from '../../adapters/start-server.js';
import { type CallOptions, type Reply, call } from './http.js';
import { oathtool } from './oathtool.js';
import { TestClock } from './test-clock.js';

export interface TestServer {
  readonly url: string;
  readonly wsUrl: string;
  readonly adminKey: string;
  readonly dataDir: string;
  readonly logPath: string;
  readonly clock: TestClock;
  readonly running: Running;
  call(method: string, path: string, opts?: CallOptions): Promise<Reply>;
  admin(method: string, path: string, opts?: CallOptions): Promise<Reply>;
  /** Stops the server; `keepData` leaves the data dir for a restart on it. */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export interface TestServerOptions {
  readonly dataDir?: string;
  readonly clock?: TestClock;
  readonly env?: Record<string, string>;
  readonly adminKey?: string;
}

/** A real server on an ephemeral port of 127.0.0.1 over a temp data dir, with a hand-moved clock; logs go to a file. */
export const startTestServer = async (opts: TestServerOptions = {}): Promise<TestServer> => {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  const adminKey = opts.adminKey ?? randomBytes(24).toString('base64url');
  // Throttles are generous by default so that tests of other properties are not throttled; throttle tests set them.
  const config: Config = configFromEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_ADMIN_KEY: adminKey,
    LOG_LEVEL: 'info',
    LATCHKEY_THROTTLE_IP_BURST: '1000000',
    LATCHKEY_THROTTLE_ACCOUNT_BURST: '1000000',
    ...(opts.env ?? {}),
  });
  const clock = opts.clock ?? new TestClock();
  const logPath = join(dataDir, 'server.log');
  const logDestination = createWriteStream(logPath, { flags: 'a' });
  const running = await startServer(config, { clock, logDestination });
  return {
    url: running.url,
    wsUrl: running.url.replace(/^http/, 'ws'),
    adminKey,
    dataDir,
    logPath,
    clock,
    running,
    call: (method, path, o) => call(running.url, method, path, o),
    admin: (method, path, o) => call(running.url, method, path, { ...o, token: adminKey }),
    close: async ({ keepData = false } = {}) => {
      await running.close();
      await new Promise<void>((resolve) => logDestination.end(() => resolve()));
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

export interface TestUser {
  /** The account id (the `account-<id>` stream). */
  readonly id: string;
  readonly username: string;
  readonly password: string;
  /** Base32 TOTP seed, when the user has a confirmed factor. */
  readonly secret: string | null;
}

let counter = 0;

/**
 * Creates a user through the admin API and keeps its account id; with `totp`, enrols and confirms the factor with
 * an `oathtool` code of the previous step, so a code for the current step is still unused.
 */
export const createUser = async (
  s: TestServer,
  opts: { username?: string; password?: string; totp?: boolean; mfa?: 'required' | 'exempt'; roles?: string[] } = {},
): Promise<TestUser> => {
  const username = opts.username ?? `user${process.pid}x${++counter}`;
  const password = opts.password ?? `pw-${randomBytes(9).toString('base64url')}`;
  const created = await s.admin('POST', '/v1/admin/users', { json: { username, password, mfa: opts.mfa ?? 'required', roles: opts.roles ?? [] } });
  if (created.status !== 201) throw new Error(`createUser: ${created.status} ${created.text}`);
  const id = created.body.id as string;
  if (!(opts.totp ?? true)) return { id, username, password, secret: null };
  const enrol = await s.admin('POST', `/v1/admin/users/${encodeURIComponent(username)}/totp`);
  if (enrol.status !== 201) throw new Error(`enrol: ${enrol.status}`);
  const secret = enrol.body.secret as string;
  const confirm = await s.admin('POST', `/v1/admin/users/${encodeURIComponent(username)}/totp/confirm`, { json: { otp: oathtool(secret, s.clock.now() - 30_000) } });
  if (confirm.status !== 204) throw new Error(`confirm: ${confirm.status}`);
  return { id, username, password, secret };
};

/** The code for the test clock's current step (plus `steps` × 30 s). */
export const codeNow = (s: TestServer, user: TestUser, steps = 0): string => oathtool(user.secret!, s.clock.now() + steps * 30_000);
