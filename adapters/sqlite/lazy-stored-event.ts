import type { EventMeta, StoredEvent } from '../../core/event.js';
import { eventSchema, upcastEvent } from '../../core/streams.js';
import type { EventTuple } from '../event-log/event-tuple.js';

/**
 * A stored event whose data and meta are parsed on first read (as replay's StoredEventBody does): a scan over the
 * whole log hands every event to a fold that reads few of them (what-if keeps the account streams, failures read
 * only meta), and JSON.parse is the largest cost of a scan after reading the row. Data is read as the current
 * version of its type, through the stream model's upcasters, as stored-event-from-row.ts reads it.
 */
export class LazyStoredEvent implements StoredEvent {
  readonly seq: number;
  readonly id: string;
  readonly stream: string;
  readonly version: number;
  readonly type: string;
  readonly schema: number;
  readonly at: number;
  readonly #dataText: string;
  readonly #metaText: string;
  #data: object | undefined;
  #meta: EventMeta | undefined;

  constructor(row: EventTuple) {
    this.seq = row[0];
    this.id = row[1];
    this.stream = row[2];
    this.version = row[3];
    this.type = row[4];
    this.schema = row[5];
    this.#dataText = row[6];
    this.#metaText = row[7];
    this.at = row[8];
  }

  get data(): object {
    if (this.#data === undefined) {
      const data = JSON.parse(this.#dataText) as object;
      this.#data = this.schema === eventSchema(this.type) ? data : upcastEvent(this.type, this.schema, data);
    }
    return this.#data;
  }

  get meta(): EventMeta {
    return (this.#meta ??= JSON.parse(this.#metaText) as EventMeta);
  }

  toJSON(): StoredEvent {
    return { seq: this.seq, id: this.id, stream: this.stream, version: this.version, type: this.type, schema: this.schema, data: this.data, meta: this.meta, at: this.at };
  }
}
