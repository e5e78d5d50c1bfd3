import * as assert from 'uvu/assert';
import type { Reply } from '../../helpers/http.js';

/** Headers that are per request by nature and so excluded from "identical answers". */
export const perRequestHeaders = ['date', 'x-request-id'] as const;

export const stableHeaders = (r: Reply): [string, string][] =>
  [...r.headers.entries()].filter(([k]) => !(perRequestHeaders as readonly string[]).includes(k.toLowerCase())).sort(([a], [b]) => a.localeCompare(b));

/** Status, body bytes and every header but the per-request ones. */
export const assertSameAnswer = (a: Reply, b: Reply, what: string): void => {
  assert.is(b.status, a.status, `${what}: same status`);
  assert.ok(b.text === a.text, `${what}: byte-identical body`);
  assert.equal(stableHeaders(b), stableHeaders(a), `${what}: same headers (except ${perRequestHeaders.join(', ')})`);
};
