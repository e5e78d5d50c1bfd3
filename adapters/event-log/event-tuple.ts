/**
 * The hashed columns of one events row, in hash order: seq, id, stream, version, type, schema, data (JSON text),
 * meta (JSON text), at (ms). A tuple, not an object: verify and replay read rows with `.raw()` and must not allocate.
 */
export type EventTuple = [seq: number, id: string, stream: string, version: number, type: string, schema: number, data: string, meta: string, at: number];
