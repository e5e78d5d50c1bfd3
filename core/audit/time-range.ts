/**
 * The times and durations of `latchkey audit` and `/v1/admin/audit/*` (docs/api.md "Audit"): pure, the caller passes
 * `now`. An instant is ISO 8601 in UTC or with an offset (`2026-12-01T08:00:00Z`, `2026-12-01`), or relative to now
 * (`-24h`, `-7d`); a duration is a count and a unit (`90s`, `15m`, `2h`, `1d`). Anything else is null: the caller
 * names the flag or field that held it.
 */
const unitMs: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** Far enough for any log, small enough that every sum stays an exact integer. */
const maxDurationMs = 100 * 365 * 86_400_000;

export const parseDuration = (text: string): number | null => {
  const m = /^(\d{1,12})(ms|s|m|h|d|w)$/.exec(text.trim());
  if (m === null) return null;
  const ms = Number(m[1]) * unitMs[m[2]!]!;
  return ms <= maxDurationMs ? ms : null;
};

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, month: number) => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;

// A date alone is midnight UTC; a time needs its zone (Z or ±hh:mm): a bare local time would depend on the machine.
const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2}))?$/i;

export const parseInstant = (text: string, now: number): number | null => {
  const t = text.trim();
  if (t === 'now') return now;
  const rel = /^-(.+)$/.exec(t);
  if (rel !== null) {
    const d = parseDuration(rel[1]!);
    return d === null ? null : now - d;
  }
  const m = iso.exec(t);
  if (m === null) return null;
  const [y, mo, d, h = 0, mi = 0, s = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((v) => (v === undefined ? undefined : Number(v))) as number[];
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > daysIn(y!, mo!) || h > 23 || mi > 59 || s > 59) return null;
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  let offset = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offset = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return Date.UTC(y!, mo! - 1, d!, h, mi, s, ms) - offset;
};

export const inRange = (at: number, range: { readonly since?: number; readonly until?: number }): boolean =>
  (range.since === undefined || at >= range.since) && (range.until === undefined || at < range.until);
