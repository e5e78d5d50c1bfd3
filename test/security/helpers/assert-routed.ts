import * as assert from 'uvu/assert';
import type { Reply } from '../../helpers/http.js';

/**
 * What the server answers for a path no route serves: the frame's native `not_found` body
 * (adapters/http/create-http-app.ts). Its status is not a reliable sign: Koa turns the implicit 404 into a 200 when
 * the frame sets that body, so the body is what tells a missing route.
 */
export const isUnrouted = (r: Reply): boolean => r.status === 404 || (r.body?.error === 'not_found' && r.body?.message === 'Not found.');

/** Fails unless `r` came from a route the server serves: every dialect is part of the product, none may be absent. */
export const assertRouted = (r: Reply, what: string): void => {
  assert.ok(!isUnrouted(r), `${what} is served (got ${r.status}${r.status === 404 ? '' : ' with the router\'s not-found body'})`);
};
