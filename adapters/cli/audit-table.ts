import type { ChainStatus } from '../../core/ports/audit-log.js';

/** Columns padded to their widest cell; the last one is left ragged. */
export const table = (headers: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
};

export const isoTime = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The first line of every answer: whether the log it comes from is the log that was written. */
export const chainLine = (chain: ChainStatus, json: boolean): string => {
  if (json) return `${JSON.stringify({ chain })}\n`;
  return chain.ok
    ? `hash chain: ok (${chain.events} events verified)\n`
    : `hash chain: BROKEN at seq ${chain.firstBadSeq} (${chain.events} events before it verified): the log was altered, the answer below may not be what happened\n`;
};

/** A stream id for a table: its kind and the start of its id. */
export const shortStream = (stream: string): string => {
  const dash = stream.indexOf('-');
  return dash === -1 ? stream : `${stream.slice(0, dash)}:${stream.slice(dash + 1, dash + 9)}`;
};
