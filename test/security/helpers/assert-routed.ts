import * as assert from 'uvu/assert';
import type { Reply } from '../../helpers/http.js';

/**
 * Whether `r` is the server's answer to a path no route serves: the frame's native `not_found` body
 * (adapters/http/create-http-app.ts). The body tells it, not the status: Koa turns the implicit 404 into a 200 when
 * the frame sets that body, and a route of its own may answer 404 (an unknown user, an unknown key).
 */
export const isRouterNotFound = (r: Reply): boolean => r.body?.error === 'not_found' && r.body?.message === 'Not found.';

/** Fails unless `r` came from a route that answered: neither a 404 nor the router's not-found (no dialect may be absent). */
export const assertRouted = (r: Reply, what: string): void => {
  assert.ok(r.status !== 404 && !isRouterNotFound(r), `${what} is served (got ${r.status}${isRouterNotFound(r) ? " with the router's not-found body" : ''})`);
};
