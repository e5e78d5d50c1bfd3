import { readFileSync } from 'node:fs';
import * as assert from 'uvu/assert';
import type { Reply } from '../helpers/http.js';
import type { TestServer } from '../helpers/test-server.js';
import type { SqliteEventStore } from '../../adapters/sqlite/sqlite-event-store.js';

/** One event as GET /v1/admin/events answers it (docs/api.md). */
export interface AuditEvent {
  readonly seq: number;
  readonly stream: string;
  readonly version: number;
  readonly type: string;
  readonly data: any;
  readonly meta: { requestId: string; ip: string | null; dialect: string; userAgent: string | null };
  readonly at: number;
}

/** Every event after `after` (all of them by default), paged through the admin API. */
export const eventsAfter = async (s: TestServer, after = 0, stream?: string): Promise<AuditEvent[]> => {
  const out: AuditEvent[] = [];
  for (let cursor = after; ; ) {
    const q = `/v1/admin/events?after=${cursor}&limit=1000${stream === undefined ? '' : `&stream=${encodeURIComponent(stream)}`}`;
    const page = await s.admin('GET', q);
    if (page.status !== 200) throw new Error(`events: ${page.status}`);
    out.push(...(page.body.events as AuditEvent[]));
    if (page.body.events.length < 1000) return out;
    cursor = page.body.next as number;
  }
};

export const streamEvents = (s: TestServer, stream: string): Promise<AuditEvent[]> => eventsAfter(s, 0, stream);

/** The seq of the last event, to look only at what a request appended. */
export const lastSeq = async (s: TestServer): Promise<number> => {
  const all = await eventsAfter(s);
  return all.length === 0 ? 0 : all[all.length - 1]!.seq;
};

/** The account id of a canonical username, from its AccountRegistered event. */
export const accountIdOf = async (s: TestServer, username: string): Promise<string> => {
  const registered = (await eventsAfter(s)).find((e) => e.type === 'AccountRegistered' && e.data.username === username.normalize('NFKC').toLowerCase().trim());
  if (!registered) throw new Error(`no account named ${username}`);
  return registered.data.accountId as string;
};

export const types = (events: readonly AuditEvent[]): string[] => events.map((e) => e.type);

/** The claims of a JWT, read without verifying (the server verifies; the test only needs sid/jti/sub). */
export const jwtClaims = (token: string): { sub: string; sid: string; jti: string; aal: string; exp: number } =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));

/** The server's own SQLite connection (tests of storage faults drive it directly). */
export const storeOf = (s: TestServer): SqliteEventStore => s.running.engine.store;

/**
 * Counts the argon2 verifications the server starts, by wrapping its password hasher (the real one still runs:
 * nothing is mocked). "No argon2 work" (docs/security.md §21, §25) is then an exact count, not a timing guess.
 */
export const countArgon2 = (s: TestServer): { verifies: () => number; hashes: () => number } => {
  const hasher = s.running.engine.hasher;
  const verify = hasher.verify.bind(hasher);
  const hash = hasher.hash.bind(hasher);
  let verifies = 0;
  let hashes = 0;
  hasher.verify = (phc, password) => {
    verifies++;
    return verify(phc, password);
  };
  hasher.hash = (password) => {
    hashes++;
    return hash(password);
  };
  return { verifies: () => verifies, hashes: () => hashes };
};

/** A native error body: exactly `{error, message}` (plus the fields docs/api.md names), no stack trace, no internals. */
export const assertNativeError = (r: Reply, status: number, error?: string): void => {
  assert.is(r.status, status, `${r.status} ${redact(r.text)}`);
  assert.type(r.body, 'object', 'a JSON body');
  assert.type(r.body.error, 'string');
  assert.type(r.body.message, 'string');
  if (error !== undefined) assert.is(r.body.error, error);
  assertNoInternals(r.text);
};

/** Nothing of the implementation leaks: stack frames, error class names, file paths, SQL. */
export const assertNoInternals = (text: string): void => {
  assert.not.match(text, /\bat \S+ \(|\.js:\d+|\.ts:\d+|Error:|node_modules|SQLITE|sqlite|TypeError|ReferenceError|\/work\//);
};

/** Every line of the server log is one JSON object (no forged lines: docs/security.md §28). */
export const logLines = (s: TestServer): Record<string, unknown>[] => {
  const text = readFileSync(s.logPath, 'utf8');
  const lines = text.split('\n');
  assert.is(lines.pop(), '', 'the log ends with a newline');
  return lines.map((line, i) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      assert.unreachable(`log line ${i + 1} is not JSON`);
    }
    assert.ok(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed), `log line ${i + 1} is a JSON object`);
    return parsed as Record<string, unknown>;
  });
};

/** Waits for the server's pino stream to reach the file. */
export const settleLog = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));

/** mulberry32: a small seeded PRNG, so a failing random run can be repeated from its printed seed. */
export const prng = (seed: number) => {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const chance = (p: number): boolean => next() < p;
  return { next, int, pick, chance };
};
export type Prng = ReturnType<typeof prng>;

/** The seed of a random test: from the environment to repeat a run, else fresh; printed either way (never a secret). */
export const seedFrom = (name: string): number => {
  const fromEnv = process.env[name];
  const seed = fromEnv ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
  console.log(`${name}=${seed}`);
  return seed;
};

/** The milliseconds one request takes, as the client sees it. */
export const timed = async <T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const started = performance.now();
  const value = await f();
  return { value, ms: performance.now() - started };
};

export const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

export { type RpcClient, rpcClient } from '../helpers/json-rpc-client.js';

/**
 * A response text fit for a failure message: JWTs, `<id>.<secret>` bearer tokens, base32 seeds, otpauth URIs and
 * 6–8 digit codes are masked (test output never shows a token, a seed or a code).
 */
export const redact = (text: unknown): string =>
  String(typeof text === 'string' ? text : JSON.stringify(text))
    .replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '<jwt>')
    .replace(/[0-9a-f-]{36}\.[\w-]{20,}/g, '<token>')
    .replace(/otpauth:\/\/[^"\s]*/g, '<otpauth>')
    .replace(/\b[A-Z2-7]{16,}\b/g, '<seed>')
    .replace(/\b\d{6,8}\b/g, '<code>')
    .slice(0, 300);
