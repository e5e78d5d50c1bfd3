import type pg from 'pg';
import { isDomainError } from '../../core/errors.js';
import { Projector } from '../../core/projector.js';
import { parseStreamId } from '../../core/streams.js';
import type { EventTuple } from '../event-log/event-tuple.js';
import { eventColumns, storedEventFromRow } from '../event-log/stored-event-from-row.js';
import { type ReplayProgress, type ReplayResult, maxDifferences } from '../sqlite/replay-projections.js';

const pageRows = 20_000;

/**
 * `latchkey replay` on the PostgreSQL log: every projection rebuilt from event 0 with the Projector the live appends
 * use, in one REPEATABLE READ snapshot (the nodes go on appending; their rows are the next run's), and compared with
 * the live `projections` and `usernames`. Comparison only: `--apply` is for the SQLite file (left for PostgreSQL).
 */
export const replayPostgresLog = async (pool: pg.Pool, onProgress?: ReplayProgress): Promise<ReplayResult> => {
  const client = await pool.connect();
  const differences: string[] = [];
  let differenceCount = 0;
  const differ = (text: string) => {
    if (differenceCount++ < maxDifferences) differences.push(text);
  };
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const projector = new Projector();
    let after = 0;
    let events = 0;
    for (;;) {
      const rows = (await client.query<EventTuple>({ text: `SELECT ${eventColumns} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`, values: [after, pageRows], rowMode: 'array' })).rows;
      for (const row of rows) {
        const event = storedEventFromRow(row);
        after = event.seq;
        events++;
        const kind = parseStreamId(event.stream)?.kind;
        if (kind === undefined) {
          differ(`event ${event.seq}: stream ${event.stream} is of no known kind`);
          continue;
        }
        try {
          const folded = projector.apply(kind, event.stream, event as never, event.at);
          if (folded !== event.version) differ(`event ${event.seq}: ${event.stream} version ${event.version} where the fold is at ${folded}`);
        } catch (err) {
          if (!isDomainError(err)) throw err;
          differ(`event ${event.seq}: ${event.stream} ${event.type} refused by the projector (${err.code})`);
        }
      }
      onProgress?.(events);
      if (rows.length < pageRows) break;
    }
    const live = (await client.query<[string, string, number, string]>({ text: 'SELECT stream, kind, version, state FROM projections', rowMode: 'array' })).rows;
    const seen = new Set<string>();
    for (const [stream, kind, version, state] of live) {
      seen.add(stream);
      const rebuilt = projector.rows.get(stream);
      if (rebuilt === undefined) differ(`${stream}: in the live projections at version ${version} but not in the log`);
      else if (rebuilt.version !== version) differ(`${stream}: live at version ${version}, rebuilt at version ${rebuilt.version}`);
      else if (rebuilt.kind !== kind || JSON.stringify(rebuilt.state) !== state) differ(`${stream}: state differs at version ${version}`);
    }
    for (const [stream, row] of projector.rows) if (!seen.has(stream)) differ(`${stream}: missing from the live projections (rebuilt at version ${row.version})`);
    const names = new Map((await client.query<[string, string]>({ text: 'SELECT username, account_id FROM usernames', rowMode: 'array' })).rows);
    for (const [username, accountId] of names) if (projector.claimedUsernames.get(username) !== accountId) differ(`username ${JSON.stringify(username)} → ${accountId} only in the live table`);
    for (const [username, accountId] of projector.claimedUsernames) if (names.get(username) !== accountId) differ(`username ${JSON.stringify(username)} → ${accountId} only in the rebuilt table`);
    if (differenceCount > maxDifferences) differences.push(`… and ${differenceCount - maxDifferences} more`);
    return { events, streams: projector.rows.size, equal: differenceCount === 0, differences, applied: false, differenceCount, claimedUsernames: projector.claimedUsernames };
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
};
