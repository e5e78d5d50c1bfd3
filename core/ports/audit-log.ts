import type { StoredEvent } from '../event.js';

/** `since` ≤ at < `until`, in ms since the epoch; an end left out is open. */
export interface TimeRange {
  readonly since?: number;
  readonly until?: number;
}

/** One page of the log, in seq order: events with seq > `after`, at most `limit` of them. */
export interface LogPage {
  readonly range: TimeRange;
  readonly after: number;
  readonly limit: number;
}

/** What the hash chain said when last checked: `events` rows checked out; the first bad one, when there is one. */
export interface ChainStatus {
  readonly ok: boolean;
  readonly events: number;
  readonly firstBadSeq?: number;
}

/**
 * The log as an auditor reads it (docs/design.md "Replay": audit answers from the log, not the projections, so it can
 * answer for any point in time). Read-only; every event is read as the current version of its type.
 */
export interface AuditLog {
  /** The account id that registered this canonical name, from its AccountRegistered event; null when none did. */
  accountByUsername(username: string): Promise<string | null>;
  /** The account's own stream and every session, challenge and device stream whose first event names it. */
  ownedStreams(accountId: string): Promise<readonly string[]>;
  /** Events of these streams, merged in seq order. */
  streamEvents(streams: readonly string[], page: LogPage): Promise<readonly StoredEvent[]>;
  /** Events of the whole log in seq order, only of these types when given. */
  scan(page: LogPage & { readonly types?: readonly string[] }): Promise<readonly StoredEvent[]>;
  /** Account id → canonical username, from AccountRegistered; ids with no registration are left out. */
  usernames(accountIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
  chainStatus(): Promise<ChainStatus>;
}
