import { isDomainError } from '../../core/errors.js';
import { Projector } from '../../core/projector.js';
import { type LatchkeyEvent, type StreamKind, parseStreamId, upcastState } from '../../core/streams.js';
import { uts39UsernameLooks } from '../unicode/uts39-username-looks.js';
import { Differences } from './differences.js';
import { StoredEventBody } from './stored-event-body.js';

export type ReplayProgress = (done: number, total?: number) => void;

export interface ReplayResult {
  readonly events: number;
  readonly streams: number;
  readonly equal: boolean;
  /** The first few disagreements, for a human; `equal` is the verdict. */
  readonly differences: readonly string[];
  readonly applied: boolean;
  /** How many disagreements there were in all (`differences` keeps the first few). */
  readonly differenceCount: number;
  /** Usernames the rebuild claimed, for a caller merging partitions (one account per name across all of them). */
  readonly claimedUsernames: ReadonlyMap<string, string>;
}

/**
 * The verdict of `latchkey replay` (docs/design.md "Replay"), one for every store: the store's adapter reads its log
 * in seq order into `fold`, then its live tables into `compareProjection`, `compareUsernames` and
 * `compareSkeletons`, and the judge says where they disagree with the rebuild. The rebuild is the very Projector the
 * live appends use, so a disagreement means the log or the tables were changed behind the store's back.
 */
export class ReplayJudge {
  readonly projector = new Projector();
  readonly #differences = new Differences();
  events = 0;

  differ(text: string): void {
    this.#differences.add(text);
  }

  /** One event of the log, in seq order: its version must be the one the fold gives it, and the fold must accept it. */
  fold(seq: number, stream: string, version: number, type: string, data: string, at: number, schema: number): void {
    this.events++;
    const projector = this.projector;
    let row = projector.rows.get(stream);
    if (row === undefined) {
      const kind = parseStreamId(stream)?.kind;
      if (kind === undefined) {
        this.differ(`event ${seq}: stream ${stream} is of no known kind`);
        return;
      }
      row = projector.row(kind, stream);
    }
    try {
      const folded = projector.fold(row, new StoredEventBody(type, data, schema) as unknown as LatchkeyEvent, at);
      if (folded !== version) this.differ(`event ${seq}: ${stream} version ${version} where the fold is at ${folded}`);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      this.differ(`event ${seq}: ${stream} ${type} refused by the projector (${err.code})`);
    }
  }

  /**
   * One live projection row, after the whole log was folded. Every rebuilt row starts unmatched (`changed`, as the
   * fold left it); a live row of its stream clears the mark.
   */
  compareProjection(stream: string, kind: string, version: number, state: string): void {
    const rebuilt = this.projector.rows.get(stream);
    if (rebuilt === undefined) {
      this.differ(`${stream}: in the live projections at version ${version} but not in the log`);
      return;
    }
    rebuilt.changed = false;
    if (rebuilt.version !== version) this.differ(`${stream}: live at version ${version}, rebuilt at version ${rebuilt.version}`);
    else if (rebuilt.kind !== kind || (JSON.stringify(rebuilt.state) !== state && !sameAfterUpcast(rebuilt.kind, state, rebuilt.state))) {
      this.differ(`${stream}: state differs at version ${version}`);
    }
  }

  /** After every live projection row: the rebuilt rows none of them matched. */
  reportMissingProjections(): void {
    this.projector.rows.forEach((row, stream) => {
      if (row.changed) this.differ(`${stream}: missing from the live projections (rebuilt at version ${row.version})`);
    });
  }

  /** The live name → account table (of the streams folded): one row for each name the rebuild claimed, and no other. */
  compareUsernames(live: ReadonlyMap<string, string>): void {
    const claimed = this.projector.claimedUsernames;
    for (const [username, accountId] of live) if (claimed.get(username) !== accountId) this.differ(`username ${JSON.stringify(username)} → ${accountId} only in the live table`);
    for (const [username, accountId] of claimed) if (live.get(username) !== accountId) this.differ(`username ${JSON.stringify(username)} → ${accountId} only in the rebuilt table`);
  }

  /**
   * The live name → skeleton table: the skeletons are a function of the names (docs/security.md §36), so each claimed
   * name has its own and no other, and no row names what the rebuild does not claim.
   */
  compareSkeletons(live: ReadonlyMap<string, string>): void {
    const claimed = this.projector.claimedUsernames;
    for (const username of claimed.keys()) {
      const skeleton = live.get(username);
      if (skeleton === undefined) this.differ(`username ${JSON.stringify(username)}: no skeleton in the live table`);
      else if (skeleton !== uts39UsernameLooks.skeleton(username)) this.differ(`username ${JSON.stringify(username)}: its skeleton differs from the live table's`);
    }
    for (const username of live.keys()) if (!claimed.has(username)) this.differ(`username ${JSON.stringify(username)}: its skeleton is in the live table only`);
  }

  result(applied: boolean): ReplayResult {
    const differences = this.#differences;
    return {
      events: this.events,
      streams: this.projector.rows.size,
      equal: differences.count === 0,
      differences: differences.lines(),
      applied,
      differenceCount: differences.count,
      claimedUsernames: this.projector.claimedUsernames,
    };
  }
}

/**
 * A live row that differs from its rebuilt state as text may only be older: an older version wrote it without a field
 * added since. Read as the store reads it (upcast), it must then equal the rebuilt state, key order aside. A row
 * that is not even a state of its kind (edited by hand) differs; it does not stop the replay.
 */
const sameAfterUpcast = (kind: StreamKind, live: string, rebuilt: unknown): boolean => {
  try {
    return sameValue(upcastState(kind, JSON.parse(live)), rebuilt);
  } catch {
    return false; // not JSON, or not a state of its kind at all: it differs
  }
};

const sameValue = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
};
