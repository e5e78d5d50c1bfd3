import Router from '@koa/router';
import type { AppContext } from './app-context.js';

export const healthRouter = (app: AppContext): Router => {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/metrics', (ctx) => {
    ctx.type = 'text/plain; version=0.0.4';
    ctx.body = app.metrics.render();
  });
  return router;
};
