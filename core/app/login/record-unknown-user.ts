import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';

/** docs/design.md: unknown names are logged under an HMAC, never in clear (people type passwords there). */
export const probeKey = (deps: Deps, username: string): string => deps.digest.keyed(`user:${username}`);

export const recordUnknownUser = (deps: Deps, username: string, meta: EventMeta): Promise<void> =>
  transact(deps, meta, async (tx) => {
    await tx.decide('probe', probeKey(deps, username), { type: 'RecordAttempt', now: tx.now });
  });
