import type { TestServer } from '../../helpers/test-server.js';

/** One event as GET /v1/admin/events answers it (docs/api.md). */
export interface AuditEvent {
  readonly seq: number;
  readonly stream: string;
  readonly version: number;
  readonly type: string;
  readonly data: any;
  readonly meta: { requestId: string; ip: string | null; dialect: string; userAgent: string | null };
  readonly at: number;
}

/** Every event after `after` (all of them by default), of one stream or of all, paged through the admin API. */
export const eventsAfter = async (s: TestServer, after = 0, stream?: string): Promise<AuditEvent[]> => {
  const out: AuditEvent[] = [];
  for (let cursor = after; ; ) {
    const q = `/v1/admin/events?after=${cursor}&limit=1000${stream === undefined ? '' : `&stream=${encodeURIComponent(stream)}`}`;
    const page = await s.admin('GET', q);
    if (page.status !== 200) throw new Error(`events: ${page.status}`);
    out.push(...(page.body.events as AuditEvent[]));
    if (page.body.events.length < 1000) return out;
    cursor = page.body.next as number;
  }
};

/** Every event of a stream, in order. */
export const streamEvents = (s: TestServer, stream: string): Promise<AuditEvent[]> => eventsAfter(s, 0, stream);

/** The seq of the newest event: a mark to read only what a step appended. */
export const lastSeq = async (s: TestServer): Promise<number> => {
  const all = await eventsAfter(s);
  return all.length === 0 ? 0 : all[all.length - 1]!.seq;
};

/** Reads a stream's new events step by step: each `next()` gives what was appended since the previous call. */
export const watch = async (s: TestServer, stream: string) => {
  let seen = (await streamEvents(s, stream)).length;
  return {
    next: async (): Promise<AuditEvent[]> => {
      const all = await streamEvents(s, stream);
      const fresh = all.slice(seen);
      seen = all.length;
      return fresh;
    },
  };
};

/** The account id of a canonical username, from its AccountRegistered event. */
export const accountIdOf = async (s: TestServer, username: string): Promise<string> => {
  const registered = (await eventsAfter(s)).find((e) => e.type === 'AccountRegistered' && e.data.username === username.normalize('NFKC').toLowerCase().trim());
  if (!registered) throw new Error(`no account named ${username}`);
  return registered.data.accountId as string;
};

export const accountStream = (a: { id: string }): string => `account-${a.id}`;

export const typesOf = (events: readonly AuditEvent[]): string[] => events.map((e) => e.type);
