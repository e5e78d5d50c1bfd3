import type pg from 'pg';
import { eventColumns } from '../event-log/stored-event-from-row.js';
import { type ExportOptions, type ExportRow, csvHeader, csvLine, ndjsonLine } from '../sqlite/export-log.js';

const pageRows = 4096;

/**
 * `latchkey audit export` on the PostgreSQL log: the same lines as the SQLite export (export-log.ts builds each one,
 * data upcast to the current version of its type), in seq order, from one REPEATABLE READ snapshot (rows the nodes
 * append meanwhile are left to the next export). A page of rows at a time, each written as one chunk, the next read
 * only once `write` has taken it: constant memory on any log. Returns the rows written.
 */
export const exportPostgresLog = async (pool: pg.Pool, options: ExportOptions, write: (chunk: string) => void | Promise<void>): Promise<number> => {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const since = options.range.since ?? Number.MIN_SAFE_INTEGER;
    const until = options.range.until ?? Number.MAX_SAFE_INTEGER;
    const line = options.format === 'csv' ? csvLine : ndjsonLine;
    if (options.format === 'csv') await write(csvHeader);
    let after = 0;
    let rows = 0;
    for (;;) {
      const page = (
        await client.query<ExportRow>({
          text: `SELECT ${eventColumns}, encode(hash, 'hex') FROM events WHERE seq > $1 AND at >= $2 AND at < $3 ORDER BY seq LIMIT $4`,
          values: [after, since, until, pageRows],
          rowMode: 'array',
        })
      ).rows;
      if (page.length === 0) break;
      let chunk = '';
      for (const row of page) chunk += line(row);
      after = page[page.length - 1]![0];
      rows += page.length;
      await write(chunk);
      options.onProgress?.(rows, after);
      if (page.length < pageRows) break;
    }
    return rows;
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
};
