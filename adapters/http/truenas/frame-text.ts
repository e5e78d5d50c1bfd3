import type { RawData } from 'ws';

/** A text frame's payload as a string, whichever shape `ws` delivered it in. */
export const frameText = (data: RawData): string =>
  Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
