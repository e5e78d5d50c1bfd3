import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDomainError } from '../../core/errors.js';
import type { Dialect, EventMeta } from '../../core/event.js';
import { configFromEnv } from '../../adapters/config.js';
import { type Engine, openEngine } from '../../adapters/open-engine.js';
import { replayProjections } from '../../adapters/sqlite/replay-projections.js';
import { verifyChain } from '../../adapters/sqlite/verify-chain.js';
import { oathtool } from '../helpers/oathtool.js';
import { TestClock } from '../helpers/test-clock.js';
import { type Prng, prng, seedFrom } from './helpers/seeded-prng.js';
import { sqliteStoreOf } from './helpers/server-internals.js';

/**
 * docs/security.md §33 (docs/design.md "Replay"): the log is the truth. Random command sequences through the real engine
 * over a temp SQLite store (real argon2 at a low cost, real TOTP via oathtool, a hand-moved clock), interleaved
 * and sometimes concurrent; then every projection rebuilt from event 0 must equal the live tables, and the hash
 * chain must verify. Repeat a failing run with LATCHKEY_REPLAY_SEED=<printed seed>.
 */

interface User {
  readonly username: string;
  password: string;
  secret: string | null;
  readonly mfa: 'required' | 'exempt';
  readonly recovery: string[];
  readonly deviceTokens: string[];
  readonly mfaTokens: string[];
  readonly accessTokens: string[];
  readonly usedCodes: string[];
  apiKeys: string[];
}

const dialects: readonly Dialect[] = ['native', 'oracle', 'appgate', 'truenas', 'mykaarma'];
const ips = ['10.0.0.1', '10.0.0.2', '192.0.2.7', null];

class Run {
  readonly engine: Engine;
  readonly clock: TestClock;
  readonly r: Prng;
  readonly users: User[] = [];
  commands = 0;
  readonly counts = new Map<string, number>();

  constructor(engine: Engine, clock: TestClock, r: Prng) {
    this.engine = engine;
    this.clock = clock;
    this.r = r;
  }

  get lk() {
    return this.engine.latchkey;
  }

  meta(): EventMeta {
    return { requestId: crypto.randomUUID(), ip: this.r.pick(ips), dialect: this.r.pick(dialects), userAgent: this.r.chance(0.5) ? 'property-test' : null };
  }

  user(): User | null {
    return this.users.length === 0 ? null : this.r.pick(this.users);
  }

  /** A code: right for now, for a neighbouring step, a replay, a wrong one, or a malformed one. */
  code(u: User): unknown {
    const r = this.r;
    if (u.secret === null || r.chance(0.15)) return r.pick([undefined, null, '12345', '１２３４５６', 123456, [], 'abcdef', '']);
    const roll = r.next();
    if (roll < 0.55) return oathtool(u.secret, this.clock.now());
    if (roll < 0.7) return oathtool(u.secret, this.clock.now() + r.pick([-60_000, -30_000, 30_000, 60_000]));
    if (roll < 0.85 && u.usedCodes.length > 0) return r.pick(u.usedCodes);
    if (roll < 0.92 && u.recovery.length > 0) return r.pick(u.recovery);
    return String(r.int(0, 999_999)).padStart(6, '0');
  }

  password(u: User): string {
    return this.r.chance(0.7) ? u.password : this.r.pick([`${u.password}x`, 'wrong-password', u.password.toUpperCase(), `x`.repeat(1025)]);
  }

  name(u: User): string {
    // Spellings of one account (docs/security.md §19): case and width variants canonicalise to the same name.
    return this.r.pick([u.username, u.username.toUpperCase(), ` ${u.username} `, u.username.replace(/u/g, 'ｕ')]);
  }

  keep(u: User, result: any, code?: unknown): void {
    if (result?.kind === 'authenticated') {
      u.accessTokens.push(result.token.accessToken);
      if (result.deviceToken) u.deviceTokens.push(result.deviceToken);
      if (typeof code === 'string') u.usedCodes.push(code);
    } else if (result?.kind === 'mfa_required') u.mfaTokens.push(result.mfaToken);
  }

  async step(): Promise<void> {
    const r = this.r;
    const u = this.user();
    const roll = r.next();
    const kinds: [number, string, () => Promise<unknown>][] = [
      [0.08, 'register', () => this.register()],
      [0.14, 'wrong password', async () => u && this.lk.login({ username: this.name(u), password: 'wrong-password', secondFactor: r.pick(['now', 'later']) }, this.meta())],
      [0.2, 'unknown user', () => this.lk.login({ username: `nobody-${r.int(0, 20)}`, password: 'wrong-password', secondFactor: 'later' }, this.meta())],
      [
        0.38,
        'login',
        async () => {
          if (!u) return;
          const otp = r.chance(0.6) ? this.code(u) : undefined;
          const deviceToken = u.deviceTokens.length > 0 && r.chance(0.3) ? r.pick(u.deviceTokens) : undefined;
          this.keep(u, await this.lk.login({ username: this.name(u), password: this.password(u), otp, deviceToken, secondFactor: r.pick(['now', 'later']) }, this.meta()), otp);
        },
      ],
      [
        0.5,
        'second step',
        async () => {
          if (!u || u.mfaTokens.length === 0) return;
          const otp = this.code(u);
          const mfaToken = r.chance(0.9) ? r.pick(u.mfaTokens) : `${crypto.randomUUID()}.${'A'.repeat(43)}`;
          this.keep(u, await this.lk.continueLogin({ mfaToken, otp, rememberDevice: r.chance(0.4) }, this.meta()), otp);
        },
      ],
      [
        0.6,
        'session',
        async () => {
          if (!u || u.accessTokens.length === 0) return;
          const token = r.pick(u.accessTokens);
          const which = r.int(0, 2);
          if (which === 0) {
            const t = await this.lk.refresh(token, this.meta());
            if (t) u.accessTokens.push(t.accessToken);
          } else if (which === 1) await this.lk.logout(token, this.meta());
          else await this.lk.authenticate(token);
        },
      ],
      [0.7, 'clock', async () => this.clock.advance(r.pick([1_000, 15_000, 30_000, 61_000, 5 * 60_000 + 1, 16 * 60_000, 3 * 3600_000]))],
      [
        0.76,
        'lock wave',
        async () => {
          if (!u) return;
          await Promise.all(Array.from({ length: r.int(3, 7) }, () => this.lk.login({ username: this.name(u), password: 'wrong-password', secondFactor: 'later' }, this.meta())));
        },
      ],
      [0.8, 'unlock', async () => u && this.lk.unlockUser(this.name(u), this.meta())],
      [0.83, 'disable/enable', async () => u && this.lk.setUserDisabled(this.name(u), r.chance(0.5), this.meta())],
      [
        0.86,
        'change password',
        async () => {
          if (!u) return;
          const password = `pw-${r.int(0, 1e9)}-changed`;
          await this.lk.changePassword(u.username, password, this.meta());
          u.password = password;
        },
      ],
      [
        0.9,
        'factors',
        async () => {
          if (!u) return;
          const which = r.int(0, 2);
          if (which === 0) u.recovery.splice(0, u.recovery.length, ...(await this.lk.generateRecoveryCodes(u.username, this.meta())));
          else if (which === 1) {
            await this.lk.removeTotp(u.username, this.meta());
            u.secret = null;
          } else await this.enrol(u);
        },
      ],
      [
        0.93,
        'api key',
        async () => {
          if (!u) return;
          if (u.apiKeys.length === 0 || r.chance(0.3)) u.apiKeys.push((await this.lk.issueApiKey(u.username, null, this.meta())).key);
          const apiKey = r.chance(0.7) ? r.pick(u.apiKeys) : `${crypto.randomUUID()}.${'B'.repeat(43)}`;
          this.keep(u, await this.lk.loginWithApiKey({ username: this.name(u), apiKey }, this.meta()));
        },
      ],
      [
        1,
        'concurrent',
        async () => {
          // Two commands at once: appends race on the same streams and must retry or refuse, never diverge.
          await Promise.all([this.step(), this.step()]);
        },
      ],
    ];
    const [, kind, run] = kinds.find(([p]) => roll < p)!;
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    this.commands++;
    try {
      await run();
    } catch (err) {
      // Commands that make no sense in the state are domain errors (docs/style.md §8); anything else is a bug.
      if (!isDomainError(err)) throw err;
    }
  }

  async register(): Promise<void> {
    const r = this.r;
    const existing = this.user();
    // Sometimes a spelling of an existing name: must be refused as taken, whatever the spelling.
    const username = existing && r.chance(0.1) ? existing.username.toUpperCase() : `user-${r.int(0, 1e9).toString(36)}`;
    const mfa = r.chance(0.25) ? 'exempt' : 'required';
    const password = `pw-${r.int(0, 1e9)}-property`;
    const created = await this.lk.registerUser({ username, password, mfa, roles: r.chance(0.3) ? ['admin'] : [] }, this.meta());
    const u: User = { username: created.username, password, secret: null, mfa, recovery: [], deviceTokens: [], mfaTokens: [], accessTokens: [], usedCodes: [], apiKeys: [] };
    this.users.push(u);
    if (r.chance(0.8)) await this.enrol(u);
  }

  async enrol(u: User): Promise<void> {
    const { secret } = await this.lk.enrolTotp(u.username, this.meta());
    const confirmed = await this.lk.confirmTotp(u.username, oathtool(secret, this.clock.now() - (this.r.chance(0.9) ? 30_000 : 0)), this.meta());
    if (confirmed) u.secret = secret;
  }

  check(where: string): void {
    const db = sqliteStoreOf(this.engine.store).db;
    const replay = replayProjections(db);
    assert.ok(replay.equal, `${where}: replay differs from the live projections:\n${replay.differences.join('\n')}`);
    assert.ok(replay.events > 0);
    const chain = verifyChain(db);
    assert.ok(chain.ok, `${where}: hash chain broken at ${chain.firstBadSeq}`);
    assert.is(chain.events, replay.events);
    this.checkHistory(where);
  }

  /** Security properties read from the log alone, as an auditor would (docs/design.md "Replay"). */
  checkHistory(where: string): void {
    const rows = sqliteStoreOf(this.engine.store).db.prepare('SELECT id, stream, type, data FROM events ORDER BY seq').all() as { id: string; stream: string; type: string; data: string }[];
    const lastStep = new Map<string, number>();
    const byCommand = new Map<string, string[]>();
    for (const row of rows) {
      const command = row.id.slice(0, row.id.lastIndexOf(':'));
      byCommand.set(command, [...(byCommand.get(command) ?? []), row.type]);
      if (row.type === 'TotpConfirmed') lastStep.set(row.stream, JSON.parse(row.data).step);
      if (row.type === 'OtpAccepted') {
        const step = JSON.parse(row.data).step as number;
        // RFC 6238 §5.2: only a step strictly after the last accepted one (of the same factor) is ever accepted.
        assert.ok(step > (lastStep.get(row.stream) ?? -Infinity), `${where}: ${row.stream} accepted step ${step} again or out of order`);
        lastStep.set(row.stream, step);
      }
    }
    for (const row of rows) {
      if (row.type !== 'SessionIssued') continue;
      const { method } = JSON.parse(row.data) as { method: string };
      if (method === 'token') continue;
      // A session comes from a login that succeeded, in the same atomic append.
      const command = byCommand.get(row.id.slice(0, row.id.lastIndexOf(':')))!;
      assert.ok(command.includes('LoginSucceeded'), `${where}: a session without a LoginSucceeded in its command (${command.join(', ')})`);
    }
  }
}

test('33. replaying the log rebuilds exactly the live projections, over random command sequences (seeded)', async () => {
  const seed = seedFrom('LATCHKEY_REPLAY_SEED');
  const total = Number(process.env.LATCHKEY_REPLAY_COMMANDS || 1000);
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-replay-'));
  const clock = new TestClock(Date.UTC(2026, 0, 1, 8, 0, 0) + (seed % 86_400) * 1000);
  const config = configFromEnv({
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_ADMIN_KEY: 'replay-property-admin-key',
    // Real argon2id, at a low cost: the property is about the log, not the hash.
    LATCHKEY_ARGON2_MEMORY_KIB: '64',
    LATCHKEY_ARGON2_ITERATIONS: '1',
    // Tight enough that throttling happens now and then, so its refusals are part of the history too.
    LATCHKEY_THROTTLE_IP_BURST: '40',
    LATCHKEY_THROTTLE_ACCOUNT_BURST: '15',
  });
  const engine = await openEngine(config, clock);
  const run = new Run(engine, clock, prng(seed));
  try {
    while (run.users.length < 3) await run.register().catch((err: unknown) => assert.ok(isDomainError(err), String(err)));
    for (let i = 1; run.commands < total; i++) {
      await run.step();
      if (i % 100 === 0) run.check(`after ${run.commands} commands (seed ${seed})`);
    }
    run.check(`at the end (seed ${seed})`);
    const events = sqliteStoreOf(engine.store).db.prepare('SELECT type, count(*) AS n FROM events GROUP BY type').all() as { type: string; n: number }[];
    const kinds = new Set(events.map((e) => e.type));
    // The history is varied enough to mean something.
    for (const t of ['AccountRegistered', 'PasswordRejected', 'OtpAccepted', 'OtpRejected', 'AccountLocked', 'SessionIssued', 'ChallengeIssued', 'ApiKeyIssued']) {
      assert.ok(kinds.has(t), `the run produced ${t} (seed ${seed})`);
    }
    console.log(`  ${run.commands} commands, ${run.users.length} users, ${events.reduce((a, e) => a + e.n, 0)} events of ${kinds.size} types`);
  } finally {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
