import type { Dialect } from '../event.js';
import type { ThrottleScope } from '../ports/throttle.js';

export interface TalliedRefusals {
  readonly scope: ThrottleScope;
  readonly key: string;
  readonly count: number;
  readonly first: number;
  readonly last: number;
  readonly dialects: readonly Dialect[];
}

interface Entry {
  readonly scope: ThrottleScope;
  readonly key: string;
  count: number;
  readonly first: number;
  last: number;
  readonly dialects: Set<Dialect>;
}

/**
 * Throttle refusals counted in memory between two recordings (the server records them once a minute): one entry
 * per budget key, at most `maxKeys` of them, the rest folded into one `*` entry per scope. A flood of refused
 * requests costs a counter each, and the log at most `maxKeys + 2` events a minute. Pure: times are passed in.
 */
export class RefusalTally {
  readonly #maxKeys: number;
  #entries = new Map<string, Entry>();

  constructor(maxKeys = 1000) {
    this.#maxKeys = maxKeys;
  }

  add(scope: ThrottleScope, key: string, dialect: Dialect, now: number): void {
    let id = `${scope}:${key}`;
    let entry = this.#entries.get(id);
    if (entry === undefined && this.#entries.size >= this.#maxKeys) {
      id = `${scope}:*`;
      entry = this.#entries.get(id);
      key = '*';
    }
    if (entry === undefined) this.#entries.set(id, { scope, key, count: 1, first: now, last: now, dialects: new Set([dialect]) });
    else {
      entry.count++;
      entry.last = now;
      entry.dialects.add(dialect);
    }
  }

  /** Everything counted since the last drain, and a fresh start. */
  drain(): TalliedRefusals[] {
    const entries = [...this.#entries.values()];
    this.#entries = new Map();
    return entries.map(({ scope, key, count, first, last, dialects }) => ({ scope, key, count, first, last, dialects: [...dialects].sort() }));
  }
}
