import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AccountEvent } from '../../core/account/events.js';
import type { ChallengeEvent } from '../../core/challenge/events.js';
import type { DeviceEvent } from '../../core/device/events.js';
import { type ErrorCode, isDomainError } from '../../core/errors.js';
import type { EventMeta } from '../../core/event.js';
import type { AppendRequest, EventStore, StreamWrite } from '../../core/ports/event-store.js';
import type { ProbeEvent } from '../../core/probe/events.js';
import type { SessionEvent } from '../../core/session/events.js';
import { type LatchkeyEvent, type StreamKind, eventSchema, evolve, initialState, parseStreamId, streamId } from '../../core/streams.js';

export type StoreFactory = () => EventStore & { close?(): void | Promise<void> };

const meta: EventMeta = { requestId: 'req-contract', ip: '192.0.2.7', dialect: 'native', userAgent: 'contract-test' };
const t0 = 1_700_000_000_000;
const phc = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA';

const registered = (accountId: string, username: string): AccountEvent => ({
  type: 'AccountRegistered',
  data: { accountId, username, passwordHash: phc, roles: [], mfa: 'required' },
});
const rejected = (failures: number): AccountEvent => ({ type: 'PasswordRejected', data: { failures } });

const account = (id: string, expectedVersion: StreamWrite['expectedVersion'], events: AccountEvent[]): StreamWrite => ({ kind: 'account', id, expectedVersion, events });
const probe = (id: string, expectedVersion: StreamWrite['expectedVersion'], attempts: number): StreamWrite => ({
  kind: 'probe',
  id,
  expectedVersion,
  events: [{ type: 'UnknownUserAttempted', data: { attempts } }],
});
const session = (id: string, expectedVersion: StreamWrite['expectedVersion'], events: SessionEvent[]): StreamWrite => ({ kind: 'session', id, expectedVersion, events });
const issued = (sessionId: string, accountId: string): SessionEvent => ({
  type: 'SessionIssued',
  data: { sessionId, accountId, jti: `jti-${sessionId}`, aal: 'aal2', method: 'password+totp', expiresAt: t0 + 900_000, dialect: 'native' },
});

const challengeIssued = (challengeId: string, accountId: string): ChallengeEvent => ({
  type: 'ChallengeIssued',
  data: { challengeId, accountId, tokenHash: '00'.repeat(32), expiresAt: t0 + 300_000, epoch: 0, methods: ['totp'], dialect: 'native' },
});

const request = (commandId: string, writes: StreamWrite[], at = t0): AppendRequest => ({ commandId, writes, meta, at });

const rejection = async (p: Promise<unknown>): Promise<ErrorCode | 'no error'> => {
  try {
    await p;
    return 'no error';
  } catch (err) {
    assert.ok(isDomainError(err), `expected a DomainError, got ${String(err)}`);
    return err.code;
  }
};

const everything = (store: EventStore) => store.read({ after: 0, limit: 1_000_000 });

/**
 * docs/style.md §12: one contract, run against every adapter of the EventStore port (in-memory and SQLite), so the
 * fast store used by unit tests cannot drift from the one in production.
 */
export const eventStoreContract = (name: string, make: StoreFactory): void => {
  const test = suite(`EventStore contract: ${name}`);
  const withStore = (body: (store: EventStore) => Promise<void>) => async () => {
    const store = make();
    try {
      await body(store);
    } finally {
      await store.close?.();
    }
  };

  test(
    'an unknown stream loads at version 0 in its initial state; an unknown username is null; the log starts empty',
    withStore(async (store) => {
      for (const kind of ['account', 'challenge', 'session', 'device', 'probe'] as const) {
        const loaded = await store.load(kind, 'nobody');
        assert.is(loaded.version, 0);
        assert.equal(loaded.state, initialState(kind));
      }
      assert.is(await store.accountIdByUsername('nobody'), null);
      assert.is(await store.accountByUsername('nobody'), null);
      assert.equal(await store.challengeAndAccount('nobody'), { challenge: { version: 0, state: initialState('challenge') }, account: null });
      assert.equal(await everything(store), []);
    }),
  );

  test(
    'append numbers events per stream from 1, ids them <commandId>:<n>, gives consecutive seqs and folds them into load',
    withStore(async (store) => {
      const stored = await store.append(request('cmd-1', [account('a', 0, [registered('a', 'alice'), rejected(1)]), probe('p', 0, 1)], t0 + 5));
      assert.equal(
        stored.map((e) => [e.id, e.stream, e.version, e.type]),
        [
          ['cmd-1:0', 'account-a', 1, 'AccountRegistered'],
          ['cmd-1:1', 'account-a', 2, 'PasswordRejected'],
          ['cmd-1:2', 'probe-p', 1, 'UnknownUserAttempted'],
        ],
      );
      assert.ok(stored[0]!.seq >= 1);
      assert.equal(
        stored.map((e) => e.seq - stored[0]!.seq),
        [0, 1, 2],
      );
      for (const e of stored) {
        assert.is(e.schema, eventSchema(e.type));
        assert.is(e.at, t0 + 5);
        assert.equal(e.meta, meta);
      }
      assert.equal(stored[1]!.data, { failures: 1 });
      assert.equal(await everything(store), stored);

      const a = await store.load('account', 'a');
      assert.is(a.version, 2);
      assert.is(a.state.status, 'registered');
      if (a.state.status === 'registered') {
        assert.is(a.state.account.username, 'alice');
        assert.is(a.state.account.failures, 1);
      }
      assert.equal(await store.load('probe', 'p'), { version: 1, state: { attempts: 1 } });
      assert.is(await store.accountIdByUsername('alice'), 'a');
      assert.equal(await store.accountByUsername('alice'), { id: 'a', loaded: a }, 'the name and its account row, as load reads it');

      // A challenge and its account read together are the two loads; a challenge whose account has no row has none.
      await store.append(request('cmd-ch', [{ kind: 'challenge', id: 'ch', expectedVersion: 0, events: [challengeIssued('ch', 'a')] }, { kind: 'challenge', id: 'orphan', expectedVersion: 0, events: [challengeIssued('orphan', 'gone')] }]));
      assert.equal(await store.challengeAndAccount('ch'), { challenge: await store.load('challenge', 'ch'), account: a });
      assert.equal(await store.challengeAndAccount('orphan'), { challenge: await store.load('challenge', 'orphan'), account: null });

      const next = await store.append(request('cmd-2', [account('a', 2, [rejected(2)])]));
      assert.is(next[0]!.version, 3);
      assert.is(next[0]!.seq, stored[2]!.seq + 2 + 1);
    }),
  );

  test(
    'a stale or future expected version is refused as stream_moved and writes nothing',
    withStore(async (store) => {
      await store.append(request('cmd-1', [account('a', 0, [registered('a', 'alice')])]));
      const before = await everything(store);
      assert.is(await rejection(store.append(request('cmd-2', [account('a', 0, [rejected(1)])]))), 'stream_moved');
      assert.is(await rejection(store.append(request('cmd-3', [account('a', 2, [rejected(1)])]))), 'stream_moved');
      assert.is(await rejection(store.append(request('cmd-4', [probe('new', 1, 1)]))), 'stream_moved');
      assert.equal(await everything(store), before);
      assert.is((await store.load('account', 'a')).version, 1);
      assert.is((await store.load('probe', 'new')).version, 0);
    }),
  );

  test(
    "'any' appends without a version check, at the next versions",
    withStore(async (store) => {
      await store.append(request('cmd-1', [probe('p', 'any', 1)]));
      await store.append(request('cmd-2', [probe('p', 'any', 2)]));
      const last = await store.append(request('cmd-3', [probe('p', 'any', 3)]));
      assert.is(last[0]!.version, 3);
      assert.equal(await store.load('probe', 'p'), { version: 3, state: { attempts: 3 } });
    }),
  );

  test(
    'one stale write fails the whole multi-stream append: no event, no projection, no username',
    withStore(async (store) => {
      await store.append(request('cmd-1', [account('a', 0, [registered('a', 'alice')])]));
      const before = await everything(store);
      const code = await rejection(
        store.append(
          request('cmd-2', [
            account('b', 0, [registered('b', 'bob')]),
            session('s', 0, [issued('s', 'b')]),
            probe('p', 'any', 1),
            account('a', 0, [rejected(1)]), // stale: account a is at version 1
          ]),
        ),
      );
      assert.is(code, 'stream_moved');
      assert.equal(await everything(store), before);
      assert.is((await store.load('account', 'b')).version, 0);
      assert.is((await store.load('session', 's')).version, 0);
      assert.is((await store.load('probe', 'p')).version, 0);
      assert.is(await store.accountIdByUsername('bob'), null);
      // The same writes with the right version go through together.
      const ok = await store.append(
        request('cmd-3', [account('b', 0, [registered('b', 'bob')]), session('s', 0, [issued('s', 'b')]), probe('p', 'any', 1), account('a', 1, [rejected(1)])]),
      );
      assert.is(ok.length, 4);
      assert.is(await store.accountIdByUsername('bob'), 'b');
    }),
  );

  test(
    'appending the same command id twice returns the first result and writes nothing, even if the versions moved since',
    withStore(async (store) => {
      const req = request('cmd-1', [account('a', 0, [registered('a', 'alice'), rejected(1)]), probe('p', 0, 1)]);
      const first = await store.append(req);
      await store.append(request('cmd-2', [account('a', 2, [rejected(2)])]));
      const before = await everything(store);
      const again = await store.append(req);
      assert.equal(again, first);
      assert.equal(await everything(store), before);
      assert.is((await store.load('account', 'a')).version, 3);
    }),
  );

  test(
    'a username is taken once: a second account with it is refused as username_taken and writes nothing',
    withStore(async (store) => {
      await store.append(request('cmd-1', [account('a', 0, [registered('a', 'alice')])]));
      const before = await everything(store);
      assert.is(await rejection(store.append(request('cmd-2', [account('b', 0, [registered('b', 'alice')]), probe('p', 0, 1)]))), 'username_taken');
      // Two registrations of one name in the same append (two racing admin calls folded together).
      assert.is(
        await rejection(store.append(request('cmd-3', [account('c', 0, [registered('c', 'carol')]), account('d', 0, [registered('d', 'carol')])]))),
        'username_taken',
      );
      assert.equal(await everything(store), before);
      assert.is(await store.accountIdByUsername('alice'), 'a');
      assert.is(await store.accountIdByUsername('carol'), null);
      assert.is((await store.load('account', 'b')).version, 0);
      assert.is((await store.load('probe', 'p')).version, 0);
      // The refused command id was not consumed.
      const retried = await store.append(request('cmd-2', [account('b', 0, [registered('b', 'bob')])]));
      assert.is(retried.length, 1);
      assert.is(await store.accountIdByUsername('bob'), 'b');
    }),
  );

  test(
    'a name that looks like a claimed one (same UTS #39 skeleton) is refused as username_lookalike and writes nothing',
    withStore(async (store) => {
      await store.append(request('cmd-1', [account('a', 0, [registered('a', 'alice')])]));
      const before = await everything(store);
      // Dotless ı, then a combining dot (the fold of ALİCE): docs/security.md §36.
      for (const [i, name] of ['alıce', 'ali\u0307ce', 'alíce'].entries()) {
        assert.is(await rejection(store.append(request(`cmd-${i + 2}`, [account(`b${i}`, 0, [registered(`b${i}`, name)])]))), 'username_lookalike', name);
      }
      assert.equal(await everything(store), before);
      assert.is(await store.accountIdByUsername('alıce'), null);
      await store.append(request('cmd-9', [account('c', 0, [registered('c', 'alicia')])]));
      assert.is(await store.accountIdByUsername('alicia'), 'c');
    }),
  );

  test(
    'read pages through the log in seq order, after a seq, up to a limit, optionally one stream',
    withStore(async (store) => {
      await store.append(request('cmd-1', [account('a', 0, [registered('a', 'alice')]), probe('p', 0, 1)]));
      await store.append(request('cmd-2', [account('a', 1, [rejected(1), rejected(2)])]));
      await store.append(request('cmd-3', [probe('p', 1, 2)]));
      const all = await everything(store);
      assert.is(all.length, 5);
      for (let i = 1; i < all.length; i++) assert.ok(all[i]!.seq > all[i - 1]!.seq);
      const page1 = await store.read({ after: 0, limit: 2 });
      assert.equal(page1, all.slice(0, 2));
      const page2 = await store.read({ after: page1[1]!.seq, limit: 2 });
      assert.equal(page2, all.slice(2, 4));
      assert.equal(await store.read({ after: all[4]!.seq, limit: 10 }), []);
      assert.equal(await store.read({ after: 0, limit: 0 }), []);
      const stream = await store.read({ after: 0, limit: 10, stream: 'account-a' });
      assert.equal(
        stream.map((e) => [e.stream, e.version]),
        [
          ['account-a', 1],
          ['account-a', 2],
          ['account-a', 3],
        ],
      );
      assert.equal(await store.read({ after: stream[0]!.seq, limit: 1, stream: 'account-a' }), [stream[1]]);
      assert.equal(await store.read({ after: 0, limit: 10, stream: 'account-nobody' }), []);
    }),
  );

  test(
    "every projection equals the fold of its stream's events, after a random history over all stream kinds",
    withStore(async (store) => {
      for (const req of randomHistory(7, 150)) await store.append(req);
      const all = await everything(store);
      const streams = new Set(all.map((e) => e.stream));
      assert.ok(streams.size > 20);
      for (const stream of streams) {
        const { kind, id } = parseStreamId(stream)!;
        const events = await store.read({ after: 0, limit: 1_000_000, stream });
        assert.equal(
          events.map((e) => e.version),
          events.map((_, i) => i + 1),
        );
        const expected = events.reduce((s, e) => evolve(kind, s, { type: e.type, data: e.data } as LatchkeyEvent, e.at), initialState(kind));
        assert.equal(await store.load(kind, id), { version: events.length, state: expected }, stream);
      }
      for (const e of all.filter((x) => x.type === 'AccountRegistered')) {
        const data = e.data as { accountId: string; username: string };
        assert.is(await store.accountIdByUsername(data.username), data.accountId);
      }
    }),
  );

  test.run();
};

/** mulberry32: a tiny seeded PRNG, so a failing random history can be replayed from its seed. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/**
 * A deterministic history of `commands` appends over every stream kind, with exact expected versions (sometimes
 * 'any'), unique usernames and events of every shape. Not a domain-valid history: `evolve` never throws, and the
 * store must fold whatever it is given (old logs must still replay).
 */
export const randomHistory = (seed: number, commands: number): AppendRequest[] => {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (n: number) => Math.floor(rnd() * n);
  const versions = new Map<string, number>();
  const ids: Record<StreamKind, string[]> = { account: [], challenge: [], session: [], device: [], probe: [], throttle: [], address: [] };
  let serial = 0;
  const fresh = (kind: StreamKind) => {
    const id = `${kind[0]}${seed}x${serial++}`;
    ids[kind].push(id);
    return id;
  };
  const existing = (kind: StreamKind) => (ids[kind].length > 0 && rnd() < 0.7 ? pick(ids[kind]) : fresh(kind));
  const anAccount = () => (ids.account.length > 0 ? pick(ids.account) : 'ghost');

  const accountEvents = (id: string, isNew: boolean): AccountEvent[] => {
    if (isNew) return [registered(id, `user-${seed}-${id}`)];
    const n = 1 + int(3);
    return Array.from({ length: n }, (): AccountEvent => {
      const choices: (() => AccountEvent)[] = [
        () => rejected(1 + int(9)),
        () => ({ type: 'OtpRejected', data: { reason: pick(['invalid', 'replayed', 'missing', 'malformed'] as const), failures: 1 + int(9) } }),
        () => ({ type: 'OtpAccepted', data: { step: 56_000_000 + int(1000) } }),
        () => ({ type: 'AccountLocked', data: { until: t0 + int(1e6), failures: 5 } }),
        () => ({ type: 'AccountHardLocked', data: { failures: 100 } }),
        () => ({ type: 'LoginSucceeded', data: { aal: pick(['aal1', 'aal2'] as const), method: 'password+totp' } }),
        () => ({ type: 'AccountUnlocked', data: {} }),
        () => ({ type: 'AccountDisabled', data: {} }),
        () => ({ type: 'AccountEnabled', data: {} }),
        () => ({ type: 'PasswordChanged', data: { passwordHash: `${phc}${int(100)}` } }),
        () => ({ type: 'PasswordRehashed', data: { passwordHash: `${phc}${int(100)}` } }),
        () => ({ type: 'TotpEnrolmentStarted', data: { sealedSecret: `sealed-${int(1e6)}`, algorithm: 'SHA1', digits: 6, period: 30 } }),
        () => ({ type: 'TotpConfirmed', data: { step: 56_000_000 + int(1000) } }),
        () => ({ type: 'TotpRemoved', data: {} }),
        () => ({ type: 'RecoveryCodesGenerated', data: { hashes: Array.from({ length: 4 }, (_, i) => `rc-${int(1e6)}-${i}`) } }),
        () => ({ type: 'RecoveryCodeUsed', data: { index: int(4) } }),
        () => ({ type: 'LoginRefused', data: { reason: pick(['locked', 'hard_locked', 'disabled', 'no_factor'] as const) } }),
        () => ({ type: 'PasswordAccepted', data: {} }),
        () => ({ type: 'EmailVerificationStarted', data: { address: `u${int(100)}@example.org`, codeId: `ec-${int(4)}`, codeMac: `em-${int(1e9)}`, expiresAt: t0 + 600_000, outbox: 'node-a' } }),
        () => ({ type: 'EmailConfirmed', data: { codeId: `ec-${int(4)}` } }),
        () => ({ type: 'EmailCodeRequested', data: { challengeId: `c-${int(1e6)}` } }),
        () => ({ type: 'EmailCodeDelivered', data: { codeId: `ec-${int(4)}`, attempt: 1 + int(3) } }),
      ];
      return pick(choices)();
    });
  };
  const challengeEvents = (id: string, isNew: boolean): ChallengeEvent[] =>
    isNew
      ? [{ type: 'ChallengeIssued', data: { challengeId: id, accountId: anAccount(), tokenHash: `th-${int(1e9)}`, expiresAt: t0 + 300_000, epoch: int(3), methods: ['totp'], dialect: 'native' } }]
      : [
          pick<() => ChallengeEvent>([
            () => ({ type: 'ChallengeOtpRejected', data: { attempts: 1 + int(5) } }),
            () => ({ type: 'ChallengeCompleted', data: { sessionId: rnd() < 0.5 ? null : `s-${int(1e6)}` } }),
            () => ({ type: 'ChallengeEnded', data: { reason: pick(['credentials_changed', 'expired', 'exhausted'] as const) } }),
            () => ({ type: 'EmailCodeIssued', data: { codeId: `ec-${int(4)}`, codeMac: `em-${int(1e9)}`, expiresAt: t0 + 600_000, outbox: rnd() < 0.5 ? null : 'node-a' } }),
            () => ({ type: 'EmailDeliveryFailed', data: { codeId: `ec-${int(4)}`, attempt: 1 + int(3), smtpCode: pick([0, 421, 550]), final: rnd() < 0.5 } }),
            () => ({ type: 'EmailCodeAbandoned', data: { codeId: `ec-${int(4)}`, reason: 'restart' } }),
          ])(),
        ];
  const sessionEvents = (id: string, isNew: boolean): SessionEvent[] =>
    isNew
      ? [issued(id, anAccount())]
      : [
          pick<() => SessionEvent>([
            () => ({ type: 'SessionRefreshed', data: { jti: `jti-${int(1e9)}`, expiresAt: t0 + int(1e7) } }),
            () => ({ type: 'SessionRevoked', data: { reason: pick(['logout', 'refreshed', 'admin', 'credentials_changed'] as const) } }),
          ])(),
        ];
  const deviceEvents = (id: string, isNew: boolean): DeviceEvent[] =>
    isNew
      ? [{ type: 'DeviceRemembered', data: { selector: id, accountId: anAccount(), validatorHash: `vh-${int(1e9)}`, expiresAt: t0 + 30 * 86_400_000, credentials: 0 } }]
      : [
          pick<() => DeviceEvent>([
            () => ({ type: 'DeviceRotated', data: { validatorHash: `vh-${int(1e9)}` } }),
            () => ({ type: 'DeviceReuseDetected', data: {} }),
            () => ({ type: 'DeviceRevoked', data: { reason: pick(['reuse', 'credentials_changed', 'expired', 'admin'] as const) } }),
          ])(),
        ];
  const probeEvents = (id: string): ProbeEvent[] => [{ type: 'UnknownUserAttempted', data: { attempts: (versions.get(streamId('probe', id)) ?? 0) + 1 } }];

  const history: AppendRequest[] = [];
  for (let i = 0; i < commands; i++) {
    const writes: StreamWrite[] = [];
    const touched = new Set<string>();
    for (let w = 1 + int(3); w > 0; w--) {
      const kind = pick(['account', 'account', 'challenge', 'session', 'device', 'probe'] as const);
      const id = existing(kind);
      const stream = streamId(kind, id);
      if (touched.has(stream)) continue;
      touched.add(stream);
      const version = versions.get(stream) ?? 0;
      const isNew = version === 0;
      const expectedVersion = rnd() < 0.2 ? 'any' : version;
      const events =
        kind === 'account'
          ? accountEvents(id, isNew)
          : kind === 'challenge'
            ? challengeEvents(id, isNew)
            : kind === 'session'
              ? sessionEvents(id, isNew)
              : kind === 'device'
                ? deviceEvents(id, isNew)
                : probeEvents(id);
      writes.push({ kind, id, expectedVersion, events } as StreamWrite);
      versions.set(stream, version + events.length);
    }
    history.push({ commandId: `c${seed}-${i}`, writes, meta: { ...meta, requestId: `req-${i}` }, at: t0 + i * 1000 });
  }
  return history;
};
