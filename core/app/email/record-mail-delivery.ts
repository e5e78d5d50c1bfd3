import type { EventMeta } from '../../event.js';
import type { DeliveryOutcome } from '../../mail/delivery-events.js';
import type { OutgoingCode } from '../../ports/mail-outbox.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';

/** What the outbox records of its own accord: no request, no client. */
const outboxMeta = (requestId: string): EventMeta => ({ requestId, ip: null, dialect: 'system', userAgent: null });

/** One delivery attempt's outcome, on the stream that issued the code; nothing when the code is no longer owed one. */
export const recordMailDelivery = (deps: Deps, stream: OutgoingCode['stream'], codeId: string, outcome: DeliveryOutcome): Promise<boolean> =>
  transact(deps, outboxMeta(`mail-${codeId}`), async (tx) => {
    const events =
      stream.kind === 'challenge'
        ? await tx.decide('challenge', stream.id, { type: 'RecordEmailDelivery', codeId, outcome, now: tx.now })
        : await tx.decide('account', stream.id, { type: 'RecordEmailDelivery', codeId, outcome, now: tx.now });
    return events.length > 0;
  });

/**
 * At start: every code a process of this node issued and never settled is abandoned with an event (its clear form died
 * with that process, docs/security.md §38): never sent twice, never lost silently. `streams` are the candidates (the
 * streams where codes were issued: the adapter finds them in the log); codes of other nodes are theirs to settle.
 */
export const abandonUndelivered = async (deps: Deps, node: string, streams: readonly OutgoingCode['stream'][]): Promise<number> => {
  let abandoned = 0;
  for (const stream of streams) {
    const code =
      stream.kind === 'challenge'
        ? ((s) => (s.status === 'pending' ? s.email : null))((await deps.store.load('challenge', stream.id)).state)
        : ((s) => (s.status === 'registered' ? s.account.email.verification : null))((await deps.store.load('account', stream.id)).state);
    if (code === null || code.outbox !== node || code.delivery !== 'sending') continue;
    if (await recordMailDelivery(deps, stream, code.codeId, { kind: 'abandoned', reason: 'restart' })) abandoned++;
  }
  return abandoned;
};
