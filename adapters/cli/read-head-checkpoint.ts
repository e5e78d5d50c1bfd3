import { readFileSync } from 'node:fs';
import { type Checkpoint, parseCheckpoint } from '../event-log/checkpoint.js';
import { readCheckpoint } from '../event-log/checkpoint-file.js';

/**
 * A checkpoint `verify` checks against: `--checkpoint FILE` (what `latchkey checkpoint --print` shipped off the
 * machine, one or many lines, or an NDJSON export, whose last line carries one), or the data dir's own. Null when
 * there is none.
 */
export const readHeadCheckpoint = (file: string | undefined, dataDirCheckpoint: string): Checkpoint | null | Error => {
  if (file === undefined) return readCheckpoint(dataDirCheckpoint);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const whole = parseCheckpoint(text);
  if (!(whole instanceof Error)) return whole;
  // A file a cron job appends to holds one checkpoint a line, the newest last; an export ends with {"checkpoint":…}.
  const last = text.trimEnd().split('\n').at(-1) ?? '';
  try {
    const value = JSON.parse(last) as { checkpoint?: unknown };
    return parseCheckpoint(JSON.stringify(value.checkpoint ?? value));
  } catch {
    return whole;
  }
};
