import type { StoredEvent } from '../../core/event.js';
import { inRange } from '../../core/audit/time-range.js';
import type { AuditLog, ChainStatus, LogPage } from '../../core/ports/audit-log.js';
import type { EventStore } from '../../core/ports/event-store.js';
import { parseStreamId, streamId } from '../../core/streams.js';

const ownerTypes = new Set(['AccountRegistered', 'SessionIssued', 'ChallengeIssued', 'DeviceRemembered', 'TokenGranted']);

/**
 * The AuditLog port over any EventStore's `read` (docs/style.md §12), for tests of core/audit over the in-memory store:
 * every call reads the whole log, which is what a test log can afford. There is no hash chain in memory: it is
 * always whole.
 */
export class InMemoryAuditLog implements AuditLog {
  readonly #store: EventStore;

  constructor(store: EventStore) {
    this.#store = store;
  }

  async accountByUsername(username: string): Promise<string | null> {
    const e = (await this.all()).find((x) => x.type === 'AccountRegistered' && (x.data as { username?: string }).username === username);
    return e === undefined ? null : (e.data as { accountId: string }).accountId;
  }

  async ownedStreams(accountId: string): Promise<readonly string[]> {
    const owned = (await this.all()).filter((e) => ownerTypes.has(e.type) && (e.data as { accountId?: string }).accountId === accountId).map((e) => e.stream);
    return [...new Set([streamId('account', accountId), ...owned])];
  }

  async streamEvents(streams: readonly string[], page: LogPage): Promise<readonly StoredEvent[]> {
    const wanted = new Set(streams);
    return (await this.all()).filter((e) => wanted.has(e.stream) && e.seq > page.after && inRange(e.at, page.range)).slice(0, page.limit);
  }

  async scan(page: LogPage & { readonly types?: readonly string[] }): Promise<readonly StoredEvent[]> {
    const types = page.types === undefined ? null : new Set(page.types);
    return (await this.all()).filter((e) => e.seq > page.after && (types === null || types.has(e.type)) && inRange(e.at, page.range)).slice(0, page.limit);
  }

  async usernames(accountIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const wanted = new Set(accountIds);
    const names = new Map<string, string>();
    for (const e of await this.all()) {
      const id = parseStreamId(e.stream)?.id;
      if (e.type === 'AccountRegistered' && id !== undefined && wanted.has(id)) names.set(id, (e.data as { username: string }).username);
    }
    return names;
  }

  async chainStatus(): Promise<ChainStatus> {
    return { ok: true, events: (await this.all()).length };
  }

  private async all(): Promise<readonly StoredEvent[]> {
    const out: StoredEvent[] = [];
    for (let page = await this.#store.read({ after: 0, limit: 10_000 }); page.length > 0; page = await this.#store.read({ after: page[page.length - 1]!.seq, limit: 10_000 })) {
      out.push(...page);
    }
    return out;
  }
}
