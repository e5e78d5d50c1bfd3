import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';

/**
 * A token presented for a login that names nothing of ours (no session, no challenge; none at all for a second step
 * with nothing pending): recorded under an HMAC of the token, never the token. The caller has spent the client
 * address's failure budget for it (admit), which bounds how fast such attempts can grow the log.
 */
export const recordUnknownToken = (deps: Deps, token: unknown, meta: EventMeta): Promise<void> =>
  transact(deps, meta, async (tx) => {
    await tx.decide('probe', deps.digest.keyed(`token:${typeof token === 'string' ? token : ''}`), { type: 'RecordTokenAttempt', now: tx.now });
  });
