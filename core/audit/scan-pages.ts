import type { StoredEvent } from '../event.js';
import type { AuditLog, TimeRange } from '../ports/audit-log.js';

/** Rows a page: enough that a page's fixed costs vanish, few enough that memory stays flat on any log. */
export const scanPageRows = 4096;

/** The whole log (or the given types in `range`) page by page in seq order, at most `scanPageRows` events held at once. */
export async function* scanPages(log: AuditLog, query: { readonly range: TimeRange; readonly types?: readonly string[]; readonly after?: number }): AsyncGenerator<readonly StoredEvent[]> {
  let after = query.after ?? 0;
  for (;;) {
    const page = await log.scan({ range: query.range, after, limit: scanPageRows, ...(query.types === undefined ? {} : { types: query.types }) });
    if (page.length > 0) yield page;
    if (page.length < scanPageRows) return;
    after = page[page.length - 1]!.seq;
  }
}
