import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { type Policy, defaultPolicy } from '../core/policy.js';
import { defaultGatherMs } from './postgres/postgres-event-store.js';
import { defaultBusyTimeoutMs } from './sqlite/open-database.js';

/** Everything configurable, from the environment (README, "Configuration"). */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly adminKey: string | undefined;
  readonly secretKey: string | undefined;
  readonly trustedProxies: readonly string[];
  readonly issuer: string;
  readonly logLevel: string;
  readonly policy: Policy;
  /** Argon2 tasks allowed to wait for a worker; beyond it logins are shed with 503 (0 = derived from the pool). */
  readonly argon2MaxQueue: number;
  /** How long an append waits for another connection's write lock before failing closed with 503 (docs/security.md §32). */
  readonly busyTimeoutMs: number;
  /** A cap on the database file in pages (0: none): past it appends fail closed (503) rather than fill the disk. */
  readonly maxDatabasePages: number;
  /** At most one signed checkpoint of the log's head per interval (docs/security.md §34); 0: after every commit. */
  readonly checkpointIntervalMs: number;
  /** LATCHKEY_DATABASE_URL: a postgres:// URL puts the log in PostgreSQL, shared by several nodes; absent, SQLite. */
  readonly databaseUrl: string | undefined;
  /** On PostgreSQL, under load, how long an append finding the writer idle waits for others to share its commit. */
  readonly commitGatherMs: number;
  /** E-mail codes (README, "E-mail codes"): absent, the factor is unavailable and the server still starts. */
  readonly mail: MailConfig | undefined;
  /** This node's name in the outbox (EmailCodeIssued's `outbox`): a restart abandons the codes its predecessor held. */
  readonly nodeName: string;
}

export interface MailConfig {
  /** LATCHKEY_SMTP_URL, `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://` (TLS from the start). */
  readonly smtpUrl: string;
  readonly from: string;
  /** Delivery attempts per code, the first included; between them the wait doubles from `retryBaseMs`. */
  readonly attempts: number;
  readonly retryBaseMs: number;
}

const int = (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}`);
  return n;
};

export const configFromEnv = (env: NodeJS.ProcessEnv = process.env): Config => {
  const policy: Policy = {
    ...defaultPolicy,
    argon2: {
      memoryKiB: int(env, 'LATCHKEY_ARGON2_MEMORY_KIB', defaultPolicy.argon2.memoryKiB, 8, 4 * 1024 * 1024),
      iterations: int(env, 'LATCHKEY_ARGON2_ITERATIONS', defaultPolicy.argon2.iterations, 1, 100),
      parallelism: int(env, 'LATCHKEY_ARGON2_PARALLELISM', defaultPolicy.argon2.parallelism, 1, 16),
    },
    email: {
      digits: emailDigits(int(env, 'LATCHKEY_EMAIL_CODE_DIGITS', defaultPolicy.email.digits, 6, 8)),
      codeTtlMs: 1000 * int(env, 'LATCHKEY_EMAIL_CODE_TTL_SECONDS', defaultPolicy.email.codeTtlMs / 1000, 1, 86_400),
      // At most 64: the folds remember 64 send times (core/mail/send-window.ts).
      perAccountPerHour: int(env, 'LATCHKEY_EMAIL_PER_ACCOUNT_PER_HOUR', defaultPolicy.email.perAccountPerHour, 1, 64),
      perAddressPerHour: int(env, 'LATCHKEY_EMAIL_PER_ADDRESS_PER_HOUR', defaultPolicy.email.perAddressPerHour, 1, 64),
    },
    throttle: {
      perIp: { capacity: int(env, 'LATCHKEY_THROTTLE_IP_BURST', 30, 1, 1e9), perMinute: int(env, 'LATCHKEY_THROTTLE_IP_PER_MINUTE', 30, 1, 1e9) },
      perAccount: { capacity: int(env, 'LATCHKEY_THROTTLE_ACCOUNT_BURST', 10, 1, 1e9), perMinute: int(env, 'LATCHKEY_THROTTLE_ACCOUNT_PER_MINUTE', 10, 1, 1e9) },
    },
  };
  return {
    port: int(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '127.0.0.1',
    dataDir: resolve(env.LATCHKEY_DATA_DIR || './data'),
    adminKey: env.LATCHKEY_ADMIN_KEY || undefined,
    secretKey: env.LATCHKEY_SECRET_KEY || undefined,
    trustedProxies: (env.LATCHKEY_TRUSTED_PROXIES ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    issuer: env.LATCHKEY_ISSUER || 'Latchkey',
    logLevel: env.LOG_LEVEL || 'info',
    policy,
    argon2MaxQueue: int(env, 'LATCHKEY_ARGON2_MAX_QUEUE', 0, 0, 100_000),
    busyTimeoutMs: int(env, 'LATCHKEY_BUSY_TIMEOUT_MS', defaultBusyTimeoutMs, 0, 60_000),
    maxDatabasePages: int(env, 'LATCHKEY_DB_MAX_PAGES', 0, 0, 2 ** 31 - 1),
    checkpointIntervalMs: int(env, 'LATCHKEY_CHECKPOINT_INTERVAL_MS', 250, 0, 60_000),
    databaseUrl: databaseUrl(env.LATCHKEY_DATABASE_URL),
    commitGatherMs: int(env, 'LATCHKEY_COMMIT_GATHER_MS', defaultGatherMs, 0, 100),
    mail: mailConfig(env),
    nodeName: env.LATCHKEY_NODE_NAME || hostname(),
  };
};

const emailDigits = (n: number): 6 | 7 | 8 => (n === 7 ? 7 : n === 8 ? 8 : 6);

const mailConfig = (env: NodeJS.ProcessEnv): MailConfig | undefined => {
  const url = env.LATCHKEY_SMTP_URL;
  if (url === undefined || url === '') return undefined;
  // The URL may carry a password: errors never repeat it.
  if (!/^smtps?:\/\/[^\s]+$/.test(url)) throw new Error('LATCHKEY_SMTP_URL must be an smtp:// or smtps:// URL');
  const from = env.LATCHKEY_MAIL_FROM;
  if (from === undefined || !/^[^\s<>@]+@[^\s<>@]+$|^[^<>]*<[^\s<>@]+@[^\s<>@]+>$/.test(from)) throw new Error('LATCHKEY_MAIL_FROM must be an address (or "Name <address>") when LATCHKEY_SMTP_URL is set');
  return {
    smtpUrl: url,
    from,
    attempts: int(env, 'LATCHKEY_MAIL_ATTEMPTS', 5, 1, 20),
    retryBaseMs: int(env, 'LATCHKEY_MAIL_RETRY_BASE_MS', 2000, 1, 3600_000),
  };
};

const databaseUrl = (raw: string | undefined): string | undefined => {
  if (raw === undefined || raw === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new Error('LATCHKEY_DATABASE_URL must be a postgres:// URL');
  return raw;
};
