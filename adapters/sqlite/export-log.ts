import type Database from 'better-sqlite3';
import type { EventMeta } from '../../core/event.js';
import type { TimeRange } from '../../core/ports/audit-log.js';
import { eventSchema, streamKinds, streams, upcastEvent } from '../../core/streams.js';
import type { EventTuple } from '../event-log/event-tuple.js';
import { seqBoundsSql } from './log-shares.js';
import { eventColumns } from '../event-log/stored-event-from-row.js';

export type ExportFormat = 'ndjson' | 'csv';

export interface ExportOptions {
  readonly range: TimeRange;
  readonly format: ExportFormat;
  readonly onProgress?: (rows: number, lastSeq: number) => void;
}

export const csvHeader = 'seq,at,stream,version,type,schema,dialect,ip,request_id,user_agent,id,data,hash\n';

const pageRows = 4096;

/** An events row and its hash in lower-case hex. */
export type ExportRow = [...EventTuple, string];

/** Data as the current version of its type, as every other reader sees it (the stream model's upcasters). */
const dataText = (row: ExportRow): string => (row[5] === eventSchema(row[4]) ? row[6] : JSON.stringify(upcastEvent(row[4], row[5], JSON.parse(row[6]) as object)));

/** One JSON object a line, around the stored JSON text of meta; `hash` is the row's link in the hash chain. */
export const ndjsonLine = (r: ExportRow): string =>
  `{"seq":${r[0]},"id":${JSON.stringify(r[1])},"stream":${JSON.stringify(r[2])},"version":${r[3]},"type":${JSON.stringify(r[4])},"schema":${r[5]},"data":${dataText(r)},"meta":${r[7]},"at":${r[8]},"hash":"${r[9]}"}\n`;

/**
 * The same lines built by SQLite, a page of them as one string (`group_concat`): one value crosses into JS a page
 * instead of ten cells a row. Built in JS the export ran at 0.55-0.6 × a bare scan + parse, one SQLite string a row
 * at 0.6-1.0 ×, one a page at 0.8-1.4 × (back to back on the bench log). `json_quote` writes a string as
 * JSON.stringify does for the ASCII ids, kinds and types of these columns. A page holding a row whose data needs an
 * upcaster is built row by row instead (`ndjsonLine`), so every reader sees one shape per type. The aggregate takes the
 * subquery's rows in its seq order, as SQLite visits them: an `ORDER BY seq` inside `group_concat` sorted each page
 * again (30 % of the export's time, on the bench's log). test/adapters/sqlite/sqlite-audit-log.test.ts checks the
 * order line by line across pages.
 */
const upcastTypes = streamKinds.flatMap((kind) => Object.keys(streams[kind].upcasters as object));
const needsUpcast = upcastTypes.length === 0 ? '0' : upcastTypes.map((t) => `(type = '${t}' AND schema < ${eventSchema(t)})`).join(' OR ');
const sqlLine = `'{"seq":' || seq || ',"id":' || json_quote(id) || ',"stream":' || json_quote(stream) || ',"version":' || version || ',"type":' || json_quote(type) || ',"schema":' || schema || ',"data":' || data || ',"meta":' || meta || ',"at":' || at || ',"hash":"' || lower(hex(hash)) || '"}' || char(10)`;

/**
 * RFC 4180 quoting; a cell an attacker could choose (user agent, request id) that starts like a spreadsheet formula
 * gets a leading apostrophe (OWASP "CSV Injection"), so opening an export never runs one.
 */
const cell = (v: string | null): string => {
  if (v === null) return '';
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export const csvLine = (r: ExportRow): string => {
  const meta = JSON.parse(r[7]) as EventMeta;
  return `${r[0]},${new Date(r[8]).toISOString()},${cell(r[2])},${r[3]},${cell(r[4])},${r[5]},${cell(meta.dialect)},${cell(meta.ip)},${cell(meta.requestId)},${cell(meta.userAgent)},${cell(r[1])},${cell(dataText(r))},${r[9]}\n`;
};

/**
 * `latchkey audit export`: the events of the range, as they are in the log (nothing secret is there to leave out:
 * docs/design.md "Event rows"), in seq order. Constant memory on any log: a page of rows at a time by seq, each page
 * written as one chunk, and the next read only once `write` has taken it (the caller resolves when its stream
 * drains). Rows appended after the export started are left to the next one. Returns the rows written.
 */
export const exportLog = async (db: Database.Database, options: ExportOptions, write: (chunk: string) => void | Promise<void>): Promise<number> => {
  const [, last] = db.prepare(seqBoundsSql).raw().get() as [number, number];
  const page = db.prepare<[number, number, number, number, number], ExportRow>(
    `SELECT ${eventColumns}, lower(hex(hash)) FROM events WHERE seq > ? AND seq <= ? AND at >= ? AND at < ? ORDER BY seq LIMIT ?`,
  ).raw();
  const lines = db.prepare<[number, number, number, number, number], [number, string, number]>(
    `SELECT seq, ${sqlLine}, ${needsUpcast} FROM events WHERE seq > ? AND seq <= ? AND at >= ? AND at < ? ORDER BY seq LIMIT ?`,
  ).raw();
  const one = db.prepare<[number], ExportRow>(`SELECT ${eventColumns}, lower(hex(hash)) FROM events WHERE seq = ?`).raw();
  const pageText = db.prepare<[number, number, number, number, number], [number | null, number, number, string | null]>(
    `SELECT max(seq), count(*), sum(u), group_concat(l, '') FROM (SELECT seq, ${sqlLine} AS l, ${needsUpcast} AS u FROM events WHERE seq > ? AND seq <= ? AND at >= ? AND at < ? ORDER BY seq LIMIT ?)`,
  ).raw();
  const since = options.range.since ?? Number.MIN_SAFE_INTEGER;
  const until = options.range.until ?? Number.MAX_SAFE_INTEGER;
  if (options.format === 'csv') await write(csvHeader);
  let after = 0;
  let rows = 0;
  for (;;) {
    let chunk = '';
    let n = 0;
    if (options.format === 'csv') {
      const batch = page.all(after, last, since, until, pageRows);
      for (let i = 0; i < batch.length; i++) chunk += csvLine(batch[i]!);
      n = batch.length;
      if (n > 0) after = batch[n - 1]![0];
    } else {
      const [lastSeq, count, upcasts, text] = pageText.get(after, last, since, until, pageRows)!;
      if (count > 0 && upcasts === 0) {
        chunk = text!;
        n = count;
        after = lastSeq!;
      }
    }
    if (options.format === 'ndjson' && n === 0) {
      const batch = lines.all(after, last, since, until, pageRows);
      for (let i = 0; i < batch.length; i++) {
        const [seq, text, upcast] = batch[i]!;
        chunk += upcast === 0 ? text : ndjsonLine(one.get(seq)!);
      }
      n = batch.length;
      if (n > 0) after = batch[n - 1]![0];
    }
    if (n === 0) break;
    rows += n;
    await write(chunk);
    options.onProgress?.(rows, after);
    if (n < pageRows) break;
  }
  return rows;
};
