import type { AuditLog, TimeRange } from '../ports/audit-log.js';
import type { Digest } from '../ports/digest.js';
import { canonicalUsername } from '../username.js';
import { type AuditRow, auditRow } from './audit-row.js';
import { nameStreams } from './probe-stream.js';

export interface HistoryQuery {
  readonly username: string;
  readonly range: TimeRange;
  /** The seq of the last event already shown (0 from the start). */
  readonly after: number;
  readonly limit: number;
}

/** `next` is the `after` of the following page, present only when there is one. */
export interface HistoryPage {
  readonly events: readonly AuditRow[];
  readonly next?: number;
}

/**
 * `audit history <username>` (docs/api.md "Audit"): every event of the account and of the sessions, challenges and
 * devices it owns, and the unknown-user attempts made under that name (kept under an HMAC of it, so only with the
 * server's `digest`), in seq order. A name nobody registered answers the same shape with what there is: nothing,
 * or its unknown-user attempts.
 */
export const history = async (log: AuditLog, digest: Digest | null, query: HistoryQuery): Promise<HistoryPage> => {
  const name = canonicalUsername(query.username);
  const accountId = await log.accountByUsername(name);
  const streams = [...(accountId === null ? [] : await log.ownedStreams(accountId)), ...(digest === null ? [] : nameStreams(digest, name))];
  if (streams.length === 0 || query.limit <= 0) return { events: [] };
  const page = await log.streamEvents(streams, { range: query.range, after: query.after, limit: query.limit + 1 });
  const events = page.slice(0, query.limit).map(auditRow);
  return page.length > query.limit ? { events, next: events[events.length - 1]!.seq } : { events };
};
