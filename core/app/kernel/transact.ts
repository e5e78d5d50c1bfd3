import { isDomainError } from '../../errors.js';
import type { EventMeta } from '../../event.js';
import type { Deps } from './deps.js';
import { retryDelayBound } from './retry-delay-bound.js';
import { type Snapshot, Tx } from './tx.js';

export const maxAttempts = 5;

/**
 * Load → decide → append, retried when another request appended to one of the streams first
 * (the store's expected-version check), after a short random delay from the second lost race on (retry-delay-bound.ts).
 * Slow crypto happens before this, never inside it.
 * `known`: streams the caller read just before (see Tx); only the first attempt takes them.
 * After `maxAttempts` lost races the `stream_moved` error propagates: the caller records the refusal.
 */
export const transact = async <T>(deps: Deps, meta: EventMeta, body: (tx: Tx) => Promise<T>, known: readonly Snapshot[] = []): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    const tx = new Tx(deps.store, deps.policy, deps.clock.now(), attempt === 1 ? known : []);
    const result = await body(tx);
    const writes = tx.writes();
    if (writes.length === 0) return result;
    try {
      await deps.store.append({ commandId: deps.random.id(), writes, meta, at: tx.now });
      return result;
    } catch (e) {
      if (!(isDomainError(e) && e.code === 'stream_moved' && attempt < maxAttempts)) throw e;
      const bound = retryDelayBound(attempt);
      if (bound > 0) await deps.clock.sleep(bound * deps.random.fraction());
    }
  }
};
