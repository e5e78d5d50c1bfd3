import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import type Router from '@koa/router';
import type { AppContext } from './app-context.js';
import { answerUnrouted } from './answer-unrouted.js';
import type { Failure } from './failure.js';
import { healthRouter } from './health-router.js';
import { nativeRouter } from './native/native-router.js';
import { prefixOf, renderFailureAt } from './render-failure-at.js';

const serverError: Failure = { status: 500, code: 'server_error', message: 'The server could not complete the request.' };

/** A dialect contributes a router; all of them share one engine, one port and one event log. */
export type DialectRouter = (app: AppContext) => Router;

/** Request id, hardening headers, the access log (method, path, status, time: never bodies or headers). */
const frame = (app: AppContext) => async (ctx: Koa.Context, next: Koa.Next) => {
  const started = performance.now();
  ctx.state.requestId = randomUUID();
  ctx.set('X-Request-Id', ctx.state.requestId as string);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Cache-Control', 'no-store');
  try {
    await next();
  } catch (err) {
    // Dialects catch their own failures; this is the last line for anything outside a dialect router, still in the
    // shape of the path's prefix (an OCC client reads any body that is not its error model as garbage).
    app.logger.error({ requestId: ctx.state.requestId, err: { message: (err as Error)?.message } }, 'unhandled error');
    renderFailureAt(ctx.path)(ctx, serverError);
  }
  answerUnrouted(ctx);
  app.earlyRefusals?.note(ctx);
  app.metrics.inc('latchkey_http_responses_total', { status: String(ctx.status) });
  const ms = Math.round((performance.now() - started) * 10) / 10;
  app.logger.info({ requestId: ctx.state.requestId, method: ctx.method, path: loggedPath(ctx), status: ctx.status, ms }, 'request');
};

/**
 * The route's template, never the path: a path parameter may be a username, and people type passwords there
 * (docs/security.md §29). A known path with a wrong method logs the template it matched; an unknown path only the
 * prefix it fell under.
 */
const loggedPath = (ctx: Koa.Context): string => {
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof route === 'string') return route;
  const layer = (ctx as { matched?: { path?: unknown }[] }).matched?.find((l) => typeof l.path === 'string');
  if (layer) return layer.path as string;
  return `${prefixOf(ctx.path) ?? ''}/*`;
};

export const createHttpApp = (app: AppContext, dialects: readonly DialectRouter[] = []): Koa => {
  const koa = new Koa({ proxy: false });
  koa.silent = true;
  koa.on('error', (err: Error) => app.logger.warn({ err: { message: err.message } }, 'connection error'));
  koa.use(frame(app));
  for (const router of [healthRouter, nativeRouter, ...dialects]) {
    const r = router(app);
    koa.use(r.routes());
    koa.use(r.allowedMethods());
  }
  return koa;
};
