import type { StoredEvent } from '../event.js';
import type { AuditLog, TimeRange } from '../ports/audit-log.js';
import { parseStreamId } from '../streams.js';
import { scanPages } from './scan-pages.js';

/**
 * What counts as a failure (README "An auditor's session"): a wrong password, a wrong/replayed/missing/malformed
 * code, a wrong API key, an attempt on a name with no account, a token that names nothing of ours, a refused
 * second-step token or token login, an attempt refused outright (locked, disabled, no factor, a lost race), and the
 * throttle's refusals (recorded aggregated: each ThrottleRefusals counts its `count`). A lock itself is not one more
 * failure: it is the consequence of the ones before it.
 */
export const failureTypes = [
  'PasswordRejected',
  'OtpRejected',
  'ApiKeyRejected',
  'UnknownUserAttempted',
  'UnknownTokenPresented',
  'ChallengeRefused',
  'SessionResumeRefused',
  'LoginRefused',
  'ThrottleRefusals',
] as const;

interface ThrottleData {
  readonly scope: 'ip' | 'account';
  readonly key: string;
  readonly count: number;
  readonly first: number;
  readonly last: number;
  readonly dialects: readonly string[];
}

export type FailuresBy = 'ip' | 'account';

export interface FailureRow {
  readonly key: string;
  readonly failures: number;
  readonly first: number;
  readonly last: number;
  readonly dialects: readonly string[];
}

export interface FailuresQuery {
  readonly by: FailuresBy;
  readonly range: TimeRange;
  /** Rows of the ranking already shown (0 from the top). */
  readonly after: number;
  readonly limit: number;
}

export interface FailuresAnswer {
  readonly by: FailuresBy;
  readonly rows: readonly FailureRow[];
  /** The `after` of the following page, when there is one. */
  readonly next?: number;
}

/** The address an event came from, as a key; events without one (CLI, admin calls) share one row. */
export const noAddress = '(none)';

/** An unknown-user stream has no name in clear: it shows as the start of its HMAC key. */
export const unknownUserKey = (probeId: string): string => `unknown:${probeId.slice(0, 12)}`;

interface Tally {
  failures: number;
  first: number;
  last: number;
  readonly dialects: Set<string>;
}

/** Failures counted per client address or per stream (an account, or an unknown name), folded in seq order. */
export class FailureTally {
  readonly #by: FailuresBy;
  readonly #tallies = new Map<string, Tally>();
  constructor(by: FailuresBy) {
    this.#by = by;
  }

  push(event: StoredEvent): void {
    if (event.type === 'ThrottleRefusals') {
      // An address's refusals count by address; an account name's (its HMAC) by that name, under its throttle stream.
      const t = event.data as ThrottleData;
      if ((t.scope === 'ip') !== (this.#by === 'ip')) return;
      this.#add(this.#by === 'ip' ? t.key : event.stream, t.count, t.first, t.last, t.dialects);
      return;
    }
    this.#add(this.#by === 'ip' ? (event.meta.ip ?? noAddress) : event.stream, 1, event.at, event.at, [event.meta.dialect]);
  }

  #add(key: string, count: number, first: number, last: number, dialects: readonly string[]): void {
    const tally = this.#tallies.get(key);
    if (tally === undefined) this.#tallies.set(key, { failures: count, first, last, dialects: new Set(dialects) });
    else {
      tally.failures += count;
      if (first < tally.first) tally.first = first;
      if (last > tally.last) tally.last = last;
      for (const d of dialects) tally.dialects.add(d);
    }
  }

  /** The account ids whose names `rows` needs (by account only). */
  accountIds(): string[] {
    if (this.#by === 'ip') return [];
    return [...this.#tallies.keys()].flatMap((stream) => {
      const parsed = parseStreamId(stream);
      return parsed?.kind === 'account' ? [parsed.id] : [];
    });
  }

  /** Most failures first; ties by key, so the order is the same on every run. */
  rows(usernames: ReadonlyMap<string, string>): FailureRow[] {
    const keyOf = (key: string): string => {
      if (this.#by === 'ip') return key;
      const parsed = parseStreamId(key);
      if (parsed?.kind === 'account') return usernames.get(parsed.id) ?? key;
      if (parsed?.kind === 'probe') return unknownUserKey(parsed.id);
      // `throttle-account:<HMAC of the name>`: the name is not in clear, as for an unknown user.
      if (parsed?.kind === 'throttle') return `throttled:${parsed.id.slice('account:'.length, 'account:'.length + 12)}`;
      return key;
    };
    return [...this.#tallies]
      .map(([key, t]) => ({ key: keyOf(key), failures: t.failures, first: t.first, last: t.last, dialects: [...t.dialects].sort() }))
      .sort((a, b) => b.failures - a.failures || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

/** `audit failures --by ip|account` (docs/api.md "Audit"): one pass over the failure events of the range. */
export const failures = async (log: AuditLog, query: FailuresQuery, onProgress?: (events: number) => void): Promise<FailuresAnswer> => {
  const tally = new FailureTally(query.by);
  let events = 0;
  for await (const page of scanPages(log, { range: query.range, types: failureTypes })) {
    for (let i = 0; i < page.length; i++) tally.push(page[i]!);
    events += page.length;
    onProgress?.(events);
  }
  const ids = tally.accountIds();
  const all = tally.rows(ids.length === 0 ? new Map() : await log.usernames(ids));
  const rows = all.slice(query.after, query.after + query.limit);
  return query.after + query.limit < all.length ? { by: query.by, rows, next: query.after + query.limit } : { by: query.by, rows };
};
