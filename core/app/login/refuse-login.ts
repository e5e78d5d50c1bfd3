import type { RefusalReason } from '../../account/events.js';
import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';

/**
 * An attempt refused without a judgement (its append lost every race, or the password changed while it was checked)
 * is still an attempt: the account records it. Best effort under the same contention: if even this cannot be
 * appended, the storage error propagates and the caller answers 503.
 */
export const refuseLogin = (deps: Deps, accountId: string, reason: Extract<RefusalReason, 'contention' | 'credentials_changed'>, meta: EventMeta): Promise<void> =>
  transact(deps, meta, async (tx) => {
    await tx.decide('account', accountId, { type: 'RecordRefusal', reason, now: tx.now });
  });
