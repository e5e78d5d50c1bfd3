import type { EventMeta } from '../event.js';
import type { Deps } from './deps.js';
import { transact } from './transact.js';

/** DESIGN.md: unknown names are logged under an HMAC, never in clear (people type passwords there). */
export const probeKey = (deps: Deps, username: string): string => deps.digest.keyed(`user:${username}`);

export const recordUnknownUser = (deps: Deps, username: string, meta: EventMeta): Promise<void> =>
  transact(deps, meta, async (tx) => {
    const key = probeKey(deps, username);
    const { attempts } = await tx.load('probe', key);
    tx.stage('probe', key, [{ type: 'UnknownUserAttempted', data: { attempts: attempts + 1 } }]);
  });
