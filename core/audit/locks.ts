import type { Dialect, StoredEvent } from '../event.js';
import type { AuditLog, TimeRange } from '../ports/audit-log.js';
import { parseStreamId } from '../streams.js';

export const lockTypes = ['AccountLocked', 'AccountHardLocked', 'AccountUnlocked'] as const;

export type LockKind = 'locked' | 'hard_locked' | 'unlocked';

/** Who or what made the change: the request whose failure locked the account, or the admin call / CLI that unlocked it. */
export interface LockCause {
  readonly dialect: Dialect;
  readonly ip: string | null;
  readonly requestId: string;
}

export interface LockRow {
  readonly seq: number;
  readonly at: number;
  readonly username: string;
  readonly type: LockKind;
  /** When a timed lock ends. */
  readonly until?: number;
  /** The failures that led to it (0 for an unlock: it starts the count again). */
  readonly failures: number;
  readonly by: LockCause;
}

export interface LocksQuery {
  readonly range: TimeRange;
  /** The seq of the last row already shown. */
  readonly after: number;
  readonly limit: number;
}

export interface LocksAnswer {
  readonly rows: readonly LockRow[];
  readonly next?: number;
}

const kindOf = (type: string): LockKind | null =>
  type === 'AccountLocked' ? 'locked' : type === 'AccountHardLocked' ? 'hard_locked' : type === 'AccountUnlocked' ? 'unlocked' : null;

const lockRow = (event: StoredEvent, usernames: ReadonlyMap<string, string>): LockRow | null => {
  const type = kindOf(event.type);
  if (type === null) return null;
  const id = parseStreamId(event.stream)?.id ?? event.stream;
  const data = event.data as { until?: number; failures?: number };
  const row = {
    seq: event.seq,
    at: event.at,
    username: usernames.get(id) ?? event.stream,
    type,
    failures: data.failures ?? 0,
    by: { dialect: event.meta.dialect, ip: event.meta.ip, requestId: event.meta.requestId },
  };
  return data.until === undefined ? row : { ...row, until: data.until };
};

/** `audit locks` (docs/api.md "Audit"): every lock, hard lock and unlock in the range, in seq order, a page at a time. */
export const locks = async (log: AuditLog, query: LocksQuery): Promise<LocksAnswer> => {
  if (query.limit <= 0) return { rows: [] };
  const page = await log.scan({ range: query.range, after: query.after, limit: query.limit + 1, types: lockTypes });
  const shown = page.slice(0, query.limit);
  const ids = [...new Set(shown.map((e) => parseStreamId(e.stream)?.id ?? e.stream))];
  const usernames = ids.length === 0 ? new Map<string, string>() : await log.usernames(ids);
  const rows = shown.flatMap((e) => lockRow(e, usernames) ?? []);
  return page.length > query.limit ? { rows, next: shown[shown.length - 1]!.seq } : { rows };
};
