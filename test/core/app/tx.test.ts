import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InMemoryEventStore } from '../../../adapters/memory/in-memory-event-store.js';
import type { Deps } from '../../../core/app/kernel/deps.js';
import { transact } from '../../../core/app/kernel/transact.js';
import { Tx } from '../../../core/app/kernel/tx.js';
import type { EventMeta } from '../../../core/event.js';
import { defaultPolicy } from '../../../core/policy.js';
import type { StreamKind } from '../../../core/streams.js';
import { TestClock } from '../../helpers/test-clock.js';

/** A transaction reads each stream once, and never a stream it has just minted or one its caller read a moment ago. */
const test = suite('tx');

const now = 1_736_154_000_000;
const meta: EventMeta = { requestId: 'r', ip: null, dialect: 'native', userAgent: null };

class CountingStore extends InMemoryEventStore {
  readonly loads: string[] = [];
  override async load<K extends StreamKind>(kind: K, id: string) {
    this.loads.push(`${kind}:${id}`);
    return super.load(kind, id);
  }
}

let ids = 0;
const depsOver = (store: CountingStore) => ({ store, clock: new TestClock(now), random: { id: () => `cmd-${++ids}`, fraction: () => 0.5 } }) as unknown as Deps;
const issue = (sessionId: string, jti: string) => ({ type: 'Issue', sessionId, accountId: 'acc-1', jti, aal: 'aal2', method: 'password+totp', ttlMs: 60_000, dialect: 'native', now }) as const;
const revoke = (jti: string) => ({ type: 'Revoke', presentedJti: jti, reason: 'logout', now }) as const;

test('decideNew stages a minted stream at expected version 0 without reading it', async () => {
  const store = new CountingStore();
  const tx = new Tx(store, defaultPolicy, now);
  const events = tx.decideNew('session', 'ses-1', issue('ses-1', 'jti-1'));
  assert.equal(
    events.map((e) => e.type),
    ['SessionIssued'],
  );
  assert.equal(store.loads, []);
  assert.equal(
    tx.writes().map((w) => [w.kind, w.id, w.expectedVersion, w.events.length]),
    [['session', 'ses-1', 0, 1]],
  );
  assert.is((await tx.load('session', 'ses-1')).status, 'active', 'the staged event is folded in');
  assert.throws(() => tx.decideNew('session', 'ses-1', issue('ses-1', 'jti-2')), /not new/);
});

test('a minted id that exists after all fails the append (expected version 0), never overwrites', async () => {
  const store = new CountingStore();
  const deps = depsOver(store);
  await transact(deps, meta, async (tx) => tx.decideNew('session', 'ses-1', issue('ses-1', 'jti-1')));
  let attempts = 0;
  const refused = await transact(deps, meta, async (tx) => (attempts++, tx.decideNew('session', 'ses-1', issue('ses-1', 'jti-2')))).then(
    () => null,
    (e: unknown) => e,
  );
  assert.is((refused as { code?: string } | null)?.code, 'stream_moved');
  assert.is(attempts, 5, 'each attempt refused by the store');
  assert.is((await store.load('session', 'ses-1')).state.status, 'active');
  assert.is(((await store.load('session', 'ses-1')).state as { jti: string }).jti, 'jti-1');
});

test('known reads stand as the first attempt’s reads; a conflict makes the retry read again', async () => {
  const store = new CountingStore();
  const deps = depsOver(store);
  await transact(deps, meta, async (tx) => tx.decideNew('session', 'ses-1', issue('ses-1', 'jti-1')));
  const snapshot = await store.load('session', 'ses-1');
  store.loads.length = 0;

  // Unchanged since the snapshot: no read at all, and the append insists on the snapshot's version.
  await transact(deps, meta, async (tx) => tx.decide('session', 'ses-1', { type: 'Refresh', presentedJti: 'jti-1', jti: 'jti-2', ttlMs: 60_000, now }), [
    { kind: 'session', id: 'ses-1', loaded: snapshot },
  ]);
  assert.equal(store.loads, []);
  assert.is((await store.load('session', 'ses-1')).version, 2);
  store.loads.length = 0;

  // The snapshot is now stale (version 1 where the stream is at 2): the first attempt is refused, the second reads.
  const seen: string[] = [];
  await transact(
    deps,
    meta,
    async (tx) => {
      const state = await tx.load('session', 'ses-1');
      seen.push((state as { jti: string }).jti);
      return tx.decide('session', 'ses-1', revoke((state as { jti: string }).jti));
    },
    [{ kind: 'session', id: 'ses-1', loaded: snapshot }],
  );
  assert.equal(seen, ['jti-1', 'jti-2']);
  assert.equal(store.loads, ['session:ses-1']);
  assert.is((await store.load('session', 'ses-1')).state.status, 'revoked');
});

test.run();
