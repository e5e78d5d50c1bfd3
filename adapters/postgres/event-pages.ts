import type pg from 'pg';

/**
 * The events table in seq order, in pages of `pageRows` rows (arrays of `columns`, seq first), each page asked for
 * as soon as the one before it has arrived: PostgreSQL reads and sends the next page while the caller works on this
 * one (replay's fold, verify's hashes), on the other core. A caller that stops early leaves one page unread.
 */
export async function* eventPages<Row extends [number, ...unknown[]]>(client: pg.ClientBase, columns: string, pageRows: number): AsyncGenerator<Row[]> {
  const page = (after: number) => {
    const query = client.query<Row>({ text: `SELECT ${columns} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`, values: [after, pageRows], rowMode: 'array' });
    // A page asked for and never read (the caller stopped) must not fail the process if its query fails.
    query.catch(() => {});
    return query;
  };
  let next = page(0);
  for (;;) {
    const rows = (await next).rows;
    const full = rows.length === pageRows;
    if (full) next = page(rows[rows.length - 1]![0]);
    yield rows;
    if (!full) return;
  }
}
