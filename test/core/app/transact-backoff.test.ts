import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InMemoryEventStore } from '../../../adapters/memory/in-memory-event-store.js';
import type { Deps } from '../../../core/app/kernel/deps.js';
import { retryDelayBaseMs, retryDelayBound, retryDelayCapMs } from '../../../core/app/kernel/retry-delay-bound.js';
import { maxAttempts, transact } from '../../../core/app/kernel/transact.js';
import { DomainError } from '../../../core/errors.js';
import type { EventMeta } from '../../../core/event.js';
import type { AppendRequest } from '../../../core/ports/event-store.js';
import { defaultPolicy } from '../../../core/policy.js';
import { TestClock } from '../../helpers/test-clock.js';

/**
 * transact's backoff between lost races (docs/design.md "Retries"): none after the first, then a uniform wait below
 * a bound that doubles up to a cap, drawn from the Random port and waited on the Clock port (core has neither).
 */
const test = suite('transact backoff');

const now = 1_736_154_000_000;
const meta: EventMeta = { requestId: 'r', ip: null, dialect: 'native', userAgent: null };

/** The in-memory store, but each of its first `losses` appends fails: a lost race (as a store's check says it), or `code`. */
class RacedStore extends InMemoryEventStore {
  appends = 0;
  readonly #losses: number;
  readonly #code: 'stream_moved' | 'unavailable';
  constructor(losses: number, code: 'stream_moved' | 'unavailable' = 'stream_moved') {
    super();
    this.#losses = losses;
    this.#code = code;
  }
  override async append(req: AppendRequest) {
    if (++this.appends <= this.#losses) throw new DomainError(this.#code, 'refused');
    return super.append(req);
  }
}

/** The deps transact reads, with the Random port's fractions scripted (and counted). */
const depsOver = (store: InMemoryEventStore, fractions: readonly number[]) => {
  const clock = new TestClock(now);
  const drawn: number[] = [];
  let ids = 0;
  const random = {
    id: () => `cmd-${++ids}`,
    bytes: (n: number) => new Uint8Array(n),
    fraction: () => {
      const f = fractions[drawn.length % fractions.length]!;
      drawn.push(f);
      return f;
    },
  };
  return { deps: { store, policy: defaultPolicy, clock, random } as unknown as Deps, clock, drawn };
};

const command = (attempts: { n: number }) => async (tx: Parameters<Parameters<typeof transact>[2]>[0]) => {
  attempts.n++;
  await tx.decide('session', 'ses-1', { type: 'Issue', sessionId: 'ses-1', accountId: 'acc-1', jti: 'jti-1', aal: 'aal2', method: 'password+totp', ttlMs: 60_000, dialect: 'native', now });
};

test('the bound: none after the first lost race, then 8 ms doubling up to 32 ms', () => {
  assert.equal(
    Array.from({ length: 8 }, (_, i) => retryDelayBound(i + 1)),
    [0, 8, 16, 32, 32, 32, 32, 32],
  );
  assert.is(retryDelayBound(0), 0);
  assert.equal([retryDelayBaseMs, retryDelayCapMs], [8, 32]);
});

test('one lost race: retried at once, no wait and no draw (a race lost on one node costs a re-read)', async () => {
  const store = new RacedStore(1);
  const { deps, clock, drawn } = depsOver(store, [0.5]);
  const attempts = { n: 0 };
  await transact(deps, meta, command(attempts));
  assert.is(attempts.n, 2);
  assert.equal(clock.slept, []);
  assert.equal(drawn, []);
  assert.is((await store.load('session', 'ses-1')).version, 1);
});

test('each later lost race waits the drawn fraction of its bound, and the command then lands once', async () => {
  const store = new RacedStore(maxAttempts - 1);
  const { deps, clock, drawn } = depsOver(store, [0.25, 0.999, 0]);
  const attempts = { n: 0 };
  await transact(deps, meta, command(attempts));
  assert.is(attempts.n, maxAttempts);
  assert.equal(drawn, [0.25, 0.999, 0]);
  assert.equal(clock.slept, [0.25 * retryDelayBound(2), 0.999 * retryDelayBound(3), 0 * retryDelayBound(4)]);
  assert.ok(clock.slept.every((ms, i) => ms >= 0 && ms < retryDelayBound(i + 2)), 'each below its bound');
  assert.is(clock.now(), now, 'the test clock stands still: only the test moves it');
  assert.is((await store.load('session', 'ses-1')).version, 1, 'appended once');
});

test('maxAttempts lost races: stream_moved propagates, with no wait after the last', async () => {
  const store = new RacedStore(Number.POSITIVE_INFINITY);
  const { deps, clock } = depsOver(store, [1 - Number.EPSILON]);
  const attempts = { n: 0 };
  const refused = await transact(deps, meta, command(attempts)).then(
    () => null,
    (e: unknown) => e,
  );
  assert.is((refused as { code?: string } | null)?.code, 'stream_moved');
  assert.is(attempts.n, maxAttempts);
  assert.is(clock.slept.length, maxAttempts - 2, 'waits between the 2nd and the last attempt only');
  const total = clock.slept.reduce((a, b) => a + b, 0);
  const worst = Array.from({ length: maxAttempts - 1 }, (_, i) => retryDelayBound(i + 1)).reduce((a, b) => a + b, 0);
  assert.ok(total < worst && total > worst * 0.99, `${total} ms just under the worst case ${worst} ms`);
  assert.is((await store.load('session', 'ses-1')).version, 0);
});

test('an error other than a lost race is not retried and not waited on', async () => {
  const store = new RacedStore(Number.POSITIVE_INFINITY, 'unavailable');
  const { deps, clock } = depsOver(store, [0.5]);
  const attempts = { n: 0 };
  const failed = await transact(deps, meta, command(attempts)).then(
    () => null,
    (e: unknown) => e,
  );
  assert.is((failed as { code?: string } | null)?.code, 'unavailable');
  assert.is(attempts.n, 1);
  assert.equal(clock.slept, []);
});

test.run();
