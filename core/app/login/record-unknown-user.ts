import type { EventMeta } from '../../event.js';
import { probeKey } from '../../probe/probe-key.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';


export const recordUnknownUser = (deps: Deps, username: string, meta: EventMeta): Promise<void> =>
  transact(deps, meta, async (tx) => {
    await tx.decide('probe', probeKey(deps.digest, username), { type: 'RecordAttempt', now: tx.now });
  });
