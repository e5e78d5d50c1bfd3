import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import type Router from '@koa/router';
import type { AppContext } from './app-context.js';
import { healthRouter } from './health-router.js';
import { nativeRouter } from './native/native-router.js';

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
    // Dialects catch their own failures; this is the last line for anything outside a dialect router.
    app.logger.error({ requestId: ctx.state.requestId, err: { message: (err as Error)?.message } }, 'unhandled error');
    ctx.status = 500;
    ctx.body = { error: 'server_error', message: 'The server could not complete the request.' };
  }
  if (ctx.status === 404 && ctx.body === undefined) ctx.body = { error: 'not_found', message: 'Not found.' };
  app.metrics.inc('latchkey_http_responses_total', { status: String(ctx.status) });
  const ms = Math.round((performance.now() - started) * 10) / 10;
  // The route's template, not the path: a path parameter may be a username, and people type passwords there (docs/security.md §29).
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  app.logger.info({ requestId: ctx.state.requestId, method: ctx.method, path: typeof route === 'string' ? route : ctx.path, status: ctx.status, ms }, 'request');
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
