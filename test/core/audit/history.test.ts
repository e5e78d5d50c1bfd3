import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { history } from '../../../core/audit/history.js';
import { nameStreams } from '../../../core/audit/probe-stream.js';
import { buildHistory, t0 } from './audit-history-fixture.js';

const test = suite('audit history');

test("an account's history: its own stream and the challenge and session it owns, in seq order, nobody else's", async () => {
  const h = await buildHistory();
  const page = await history(h.log, h.deps.digest, { username: 'ALICE ', range: {}, after: 0, limit: 1000 });
  const aliceId = (h.all.find((e) => e.type === 'AccountRegistered')!.data as { accountId: string }).accountId;
  const expected = h.all.filter((e) => e.stream === `account-${aliceId}` || (e.data as { accountId?: string }).accountId === aliceId || e.stream.startsWith('challenge-') || e.stream.startsWith('session-'));
  assert.equal(page.events.map((e) => e.seq), expected.map((e) => e.seq));
  assert.equal(page.next, undefined);
  const types = page.events.map((e) => e.type);
  for (const t of ['AccountRegistered', 'TotpConfirmed', 'ChallengeIssued', 'ChallengeCompleted', 'SessionIssued', 'AccountLocked', 'LoginRefused', 'AccountUnlocked']) assert.ok(types.includes(t), t);
  assert.is(types.filter((t) => t === 'PasswordRejected').length, 5);
  assert.not.ok(page.events.some((e) => JSON.stringify(e.data).includes('"bob"')));
  const seqs = page.events.map((e) => e.seq);
  assert.equal(seqs, [...seqs].sort((a, b) => a - b));
});

test('each row: time, dialect, client address, type and reason', async () => {
  const h = await buildHistory();
  const { events } = await history(h.log, h.deps.digest, { username: 'alice', range: {}, after: 0, limit: 1000 });
  const rejected = events.filter((e) => e.type === 'PasswordRejected');
  assert.equal(rejected.map((e) => [e.at, e.dialect, e.ip, e.reason]), [
    [t0 + 120_000, 'oracle', '203.0.113.66', 'password'],
    [t0 + 120_000, 'oracle', '203.0.113.66', 'password'],
    [t0 + 120_000, 'oracle', '203.0.113.66', 'password'],
    [t0 + 120_000, 'appgate', '203.0.113.66', 'password'],
    [t0 + 120_000, 'appgate', '203.0.113.66', 'password'],
  ]);
  const refused = events.find((e) => e.type === 'LoginRefused')!;
  assert.equal([refused.at, refused.dialect, refused.reason], [t0 + 150_000, 'appgate', 'locked']);
  const unlocked = events.find((e) => e.type === 'AccountUnlocked')!;
  assert.equal([unlocked.dialect, unlocked.ip, unlocked.reason], ['admin', '192.0.2.1', undefined]);
});

test('unknown-user attempts are found under the canonical name, and only with the digest', async () => {
  const h = await buildHistory();
  const withKey = await history(h.log, h.deps.digest, { username: ' MALLORY', range: {}, after: 0, limit: 100 });
  assert.equal(withKey.events.map((e) => [e.type, e.reason, e.ip, e.dialect]), [['UnknownUserAttempted', 'unknown_user', '203.0.113.66', 'oracle']]);
  // The stream is the one the login wrote (core/app/login/record-unknown-user.ts): the two formulas agree.
  assert.is(withKey.events[0]!.stream, nameStreams(h.deps.digest, 'mallory')[0]!);
  assert.equal(await history(h.log, null, { username: 'mallory', range: {}, after: 0, limit: 100 }), { events: [] });
});

test('an unknown name answers the same shape, empty', async () => {
  const h = await buildHistory();
  assert.equal(await history(h.log, h.deps.digest, { username: 'nobody-at-all', range: {}, after: 0, limit: 100 }), { events: [] });
});

test('a time range: since included, until excluded', async () => {
  const h = await buildHistory();
  const { events } = await history(h.log, h.deps.digest, { username: 'alice', range: { since: t0 + 120_000, until: t0 + 150_000 }, after: 0, limit: 100 });
  assert.ok(events.length >= 6);
  assert.ok(events.every((e) => e.at === t0 + 120_000));
  const edge = await history(h.log, h.deps.digest, { username: 'alice', range: { since: t0 + 150_000, until: t0 + 150_001 }, after: 0, limit: 100 });
  assert.equal(edge.events.map((e) => e.type), ['LoginRefused']);
});

test('pages: `next` is the `after` of the following page, absent on the last one; the pages add up to the whole', async () => {
  const h = await buildHistory();
  const whole = await history(h.log, h.deps.digest, { username: 'alice', range: {}, after: 0, limit: 1000 });
  const seen: number[] = [];
  let after = 0;
  let pages = 0;
  for (;;) {
    const page = await history(h.log, h.deps.digest, { username: 'alice', range: {}, after, limit: 4 });
    assert.ok(page.events.length <= 4);
    seen.push(...page.events.map((e) => e.seq));
    pages++;
    if (page.next === undefined) break;
    assert.is(page.next, page.events[page.events.length - 1]!.seq);
    after = page.next;
  }
  assert.equal(seen, whole.events.map((e) => e.seq));
  assert.is(pages, Math.ceil(whole.events.length / 4));
});

test.run();
