import type { EventMeta, StoredEvent } from '../../core/event.js';
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
  data: JSON.parse(data) as object,
  meta: JSON.parse(meta) as EventMeta,
  at,
});
