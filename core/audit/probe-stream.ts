import type { Digest } from '../ports/digest.js';
import { streamId } from '../streams.js';

/**
 * The stream of unknown-user attempts for a canonical name: `probe-` + HMAC('user:' + name), as
 * core/app/login/record-unknown-user.ts keys it (test/core/audit/history.test.ts checks that the two agree).
 */
export const probeStream = (digest: Digest, canonicalName: string): string => streamId('probe', digest.keyed(`user:${canonicalName}`));
