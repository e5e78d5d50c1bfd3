import Router from '@koa/router';
import type { AppContext } from './app-context.js';

export const healthRouter = (app: AppContext): Router => {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/metrics', async (ctx) => {
    ctx.body = await app.metrics.render();
    ctx.type = app.metrics.contentType;
  });
  return router;
};
