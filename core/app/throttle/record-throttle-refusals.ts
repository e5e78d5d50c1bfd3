import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';
import { probeKey } from '../../probe/probe-key.js';

/**
 * Appends what the refusal tally counted since the last call, one ThrottleRefusals event per budget key, all in one
 * append (the server calls it once a minute and at shutdown). An account key is written as the HMAC its unknown-user
 * probes use: a name may be a password typed in the wrong field. Returns how many keys were recorded.
 */
export const recordThrottleRefusals = async (deps: Deps): Promise<number> => {
  const tallied = deps.refusals.drain();
  if (tallied.length === 0) return 0;
  const meta: EventMeta = { requestId: deps.random.id(), ip: null, dialect: 'system', userAgent: null };
  await transact(deps, meta, async (tx) => {
    for (const t of tallied) {
      const key = t.scope === 'account' && t.key !== '*' ? probeKey(deps.digest, t.key) : t.key;
      await tx.decide('throttle', `${t.scope}:${key}`, { type: 'RecordRefusals', scope: t.scope, key, count: t.count, first: t.first, last: t.last, dialects: t.dialects, now: tx.now });
    }
  });
  return tallied.length;
};
