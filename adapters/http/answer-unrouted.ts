import type { Context } from 'koa';
import type { Failure } from './failure.js';
import { renderFailureAt } from './render-failure-at.js';

export const notFound: Failure = { status: 404, code: 'not_found', message: 'Not found.' };
export const methodNotAllowed: Failure = { status: 405, code: 'method_not_allowed', message: 'Method not allowed.' };

/**
 * What no route answered, in the shape of the path's prefix. koa's status is 404 until set, and assigning a body to
 * an unset status makes it 200: the status is always set here. koa-router's allowedMethods has set 405 (or 501 for a
 * method it does not implement) and `Allow` when the path is known: both are a 405 with that `Allow` (docs/api.md).
 * A 501 with nothing allowed is an unknown path: 404.
 */
export const answerUnrouted = (ctx: Context): void => {
  if (ctx.body !== undefined && ctx.body !== null) return;
  const allow = ctx.response.get('Allow');
  let failure: Failure;
  if (ctx.status === 404) failure = notFound;
  else if (ctx.status === 405 || (ctx.status === 501 && allow !== '')) failure = methodNotAllowed;
  else if (ctx.status === 501) {
    ctx.remove('Allow');
    failure = notFound;
  } else return;
  renderFailureAt(ctx.path)(ctx, failure);
};
