import type { EventMeta, StoredEvent } from '../../core/event.js';
import { eventSchema, upcastEvent } from '../../core/streams.js';
import type { EventTuple } from './event-tuple.js';

/** The columns every event query selects, in `EventTuple` order. */
export const eventColumns = 'seq, id, stream, version, type, schema, data, meta, at';

export const storedEventFromRow = ([seq, id, stream, version, type, schema, data, meta, at]: EventTuple): StoredEvent => ({
  seq,
  id,
  stream,
  version,
  type,
  schema,
  // Read as the current version of its type: an older row goes through the stream model's upcasters.
  data: schema === eventSchema(type) ? (JSON.parse(data) as object) : upcastEvent(type, schema, JSON.parse(data) as object),
  meta: JSON.parse(meta) as EventMeta,
  at,
});
