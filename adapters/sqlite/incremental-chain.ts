import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { ChainStatus } from '../../core/ports/audit-log.js';
import { chainHashHex, genesisHash } from '../event-log/chain-hash.js';
import type { EventTuple } from '../event-log/event-tuple.js';
import { eventColumns } from '../event-log/stored-event-from-row.js';

const sliceRows = 4096;

/**
 * The hash chain as the server's audit API checks it: from the last row it verified, kept in memory with that row's
 * hash, so each call checks only the rows appended since (the first call after a start checks them all). Slices of
 * rows with a turn of the event loop between them, so a first check of a long log never holds logins up for long;
 * concurrent calls share one check. What it cannot see: a row changed behind its back after it verified that row
 * (`latchkey verify` reads them all again).
 */
export class IncrementalChain {
  readonly #rowsAfter: Database.Statement<[number, number], [...EventTuple, string]>;
  #lastSeq = 0;
  #lastHash = genesisHash.toString('hex');
  #events = 0;
  #firstBadSeq: number | undefined;
  #running: Promise<ChainStatus> | null = null;

  constructor(db: Database.Database) {
    this.#rowsAfter = db.prepare<[number, number], [...EventTuple, string]>(`SELECT ${eventColumns}, lower(hex(hash)) FROM events WHERE seq > ? ORDER BY seq LIMIT ?`).raw();
  }

  check(): Promise<ChainStatus> {
    return (this.#running ??= this.#run().finally(() => {
      this.#running = null;
    }));
  }

  async #run(): Promise<ChainStatus> {
    while (this.#firstBadSeq === undefined) {
      const rows = this.#rowsAfter.all(this.#lastSeq, sliceRows);
      for (const row of rows) {
        const stored = row.pop() as string;
        const expected = chainHashHex(this.#lastHash, row as unknown as EventTuple);
        if (expected !== stored) {
          this.#firstBadSeq = row[0] as number;
          break;
        }
        this.#lastHash = expected;
        this.#lastSeq = row[0] as number;
        this.#events++;
      }
      if (rows.length < sliceRows) break;
      await yieldToLoop();
    }
    return this.#firstBadSeq === undefined ? { ok: true, events: this.#events } : { ok: false, events: this.#events, firstBadSeq: this.#firstBadSeq };
  }
}
