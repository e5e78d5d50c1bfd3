import type { AuditLog } from '../../core/ports/audit-log.js';
import type { OutgoingCode } from '../../core/ports/mail-outbox.js';
import { parseStreamId } from '../../core/streams.js';

const issuedTypes = ['EmailCodeIssued', 'EmailVerificationStarted'] as const;

/**
 * The streams where this node issued a mailed code, from the log (not from a store's tables, so it reads SQLite and
 * PostgreSQL alike): the candidates abandonUndelivered checks against their folded state. One pass over the events of
 * those two types.
 */
export const undeliveredStreams = async (log: AuditLog, node: string): Promise<OutgoingCode['stream'][]> => {
  const streams = new Map<string, OutgoingCode['stream']>();
  for (let after = 0; ; ) {
    const page = await log.scan({ range: {}, after, limit: 1000, types: issuedTypes });
    for (const e of page) {
      const parsed = parseStreamId(e.stream);
      if ((e.data as { outbox?: unknown }).outbox !== node || parsed === null) continue;
      if (parsed.kind === 'challenge' || parsed.kind === 'account') streams.set(e.stream, { kind: parsed.kind, id: parsed.id });
    }
    if (page.length < 1000) return [...streams.values()];
    after = page[page.length - 1]!.seq;
  }
};
