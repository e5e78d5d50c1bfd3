import type { Digest } from '../ports/digest.js';
import { probeKey } from '../probe/probe-key.js';
import { streamId } from '../streams.js';

/** The streams that record a canonical name without its account: its unknown-user attempts and its throttle refusals. */
export const nameStreams = (digest: Digest, canonicalName: string): string[] => {
  const key = probeKey(digest, canonicalName);
  return [streamId('probe', key), streamId('throttle', `account:${key}`)];
};
