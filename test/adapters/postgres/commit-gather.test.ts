import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AccountEvent } from '../../../core/account/events.js';
import type { EventMeta } from '../../../core/event.js';
import type { AppendRequest } from '../../../core/ports/event-store.js';
import { openPgPool } from '../../../adapters/postgres/open-pg-pool.js';
import { type PostgresEventStore, openPostgresEventStore } from '../../../adapters/postgres/postgres-event-store.js';
import { verifyPostgresLog } from '../../../adapters/postgres/verify-postgres-log.js';
import { startThrowawayPostgres } from '../../helpers/throwaway-postgres.js';

// The writer's gather window (adapters/postgres/postgres-event-writer.ts): under load, an append that finds the
// writer idle waits one window so the appends right behind it share its commit; a quiet writer commits at once.
const postgres = await startThrowawayPostgres();
let databases = 0;
const meta: EventMeta = { requestId: 'req-gather', ip: '192.0.2.10', dialect: 'native', userAgent: 'gather-test' };
const phc = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA';
let commands = 0;
const registration = (): AppendRequest => {
  const id = `gather-${++commands}`;
  const event: AccountEvent = { type: 'AccountRegistered', data: { accountId: id, username: `user-${id}`, passwordHash: phc, roles: [], mfa: 'required' } };
  return { commandId: id, writes: [{ kind: 'account', id, expectedVersion: 0, events: [event] }], meta, at: 1_700_000_000_000 + commands };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A store whose commits are counted, and each append's time to its answer. */
const countedStore = async (url: string, gatherMs: number) => {
  let commits = 0;
  const store = await openPostgresEventStore(url, { gatherMs, onCommitted: () => commits++ });
  const timed = async (request: AppendRequest) => {
    const started = performance.now();
    const events = await store.append(request);
    return { events, ms: performance.now() - started };
  };
  /** `count` appends `spacingMs` apart, none waiting for another's answer; the commits they took. */
  const burst = async (count: number, spacingMs: number) => {
    const before = commits;
    const answers: Promise<{ events: unknown; ms: number }>[] = [];
    for (let i = 0; i < count; i++) {
      answers.push(timed(registration()));
      await sleep(spacingMs);
    }
    const results = await Promise.all(answers);
    return { commits: commits - before, results };
  };
  return { store, timed, burst, commits: () => commits };
};

const assertVerified = async (url: string, store: PostgresEventStore, events: number) => {
  assert.is((await store.read({ after: 0, limit: 10_000 })).length, events);
  const pool = openPgPool(url, { max: 1 });
  try {
    const verified = await verifyPostgresLog(pool);
    assert.ok(verified.ok, `the chain verifies (first bad seq ${verified.firstBadSeq})`);
  } finally {
    await pool.end();
  }
};

const test = suite('PostgreSQL writer: commits gathered under load');

test('under load, appends a few ms apart share one commit; with no window they take several', async () => {
  const url = await postgres.database(`gather_${++databases}`);
  const gathered = await countedStore(url, 200);
  const ungathered = await countedStore(url, 0);
  try {
    for (const node of [gathered, ungathered]) await node.burst(20, 2); // the appends' mean gap falls under two windows
    const shared = await gathered.burst(5, 5);
    const apart = await ungathered.burst(5, 5);
    assert.is(shared.commits, 1, 'five appends within one window: one commit');
    assert.ok(apart.commits >= 2, `no window: ${apart.commits} commits for five appends 5 ms apart`);
    assert.ok(Math.min(...shared.results.map((r) => r.ms)) < 200, 'the last to arrive waited less than the window');
    assert.ok(Math.max(...shared.results.map((r) => r.ms)) >= 190, 'the first waited the window');
    await assertVerified(url, gathered.store, 50);
  } finally {
    await Promise.all([gathered.store.close(), ungathered.store.close()]);
  }
});

test('a quiet writer commits at once: the first append, and the first after a spell of ten windows', async () => {
  const url = await postgres.database(`gather_${++databases}`);
  const node = await countedStore(url, 200);
  try {
    assert.ok((await node.timed(registration())).ms < 200, 'the first append does not wait');
    await node.burst(20, 2);
    await sleep(2_100);
    const after = await node.timed(registration());
    assert.ok(after.ms < 200, `after a quiet spell: ${after.ms.toFixed(1)} ms`);
  } finally {
    await node.store.close();
  }
});

test('close answers a batch still gathering: its appends commit, none is lost', async () => {
  const url = await postgres.database(`gather_${++databases}`);
  const node = await countedStore(url, 100);
  await node.burst(20, 2);
  const waiting = [node.timed(registration()), node.timed(registration())];
  await node.store.close();
  const answered = await Promise.all(waiting);
  assert.equal(
    answered.map((a) => (a.events as unknown[]).length),
    [1, 1],
  );
  const reader = await openPostgresEventStore(url);
  try {
    await assertVerified(url, reader, 22);
  } finally {
    await reader.close();
  }
});

test.after(() => postgres.destroy());
test.run();
