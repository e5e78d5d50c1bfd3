import { readFileSync } from 'node:fs';
import { type Checkpoint, parseCheckpoint } from '../sqlite/checkpoint.js';
import { readCheckpoint } from '../sqlite/checkpoint-file.js';

/**
 * A checkpoint `verify` checks against: `--checkpoint FILE` (one shipped off the machine by `latchkey checkpoint
 * --print`, or an NDJSON export, whose last line carries one), or the data dir's own. Null when there is none.
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
  const last = text.trimEnd().split('\n').at(-1) ?? '';
  try {
    const trailer = (JSON.parse(last) as { checkpoint?: unknown }).checkpoint;
    if (trailer !== undefined) return parseCheckpoint(JSON.stringify(trailer));
  } catch {
    // not an export either: the first error says what the file should be
  }
  return whole;
};
