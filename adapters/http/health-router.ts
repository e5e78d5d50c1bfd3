import Router from '@koa/router';
import type { AppContext } from './app-context.js';

export const healthRouter = (app: AppContext): Router => {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    // A factor that cannot work is a detail, not a failure: the server serves every other factor (README, "E-mail codes").
    ctx.body = {
      status: 'ok',
      details: { email: app.latchkey.mailAvailable() ? 'available' : 'unavailable: no SMTP server is configured (LATCHKEY_SMTP_URL)' },
    };
  });
  router.get('/metrics', async (ctx) => {
    ctx.body = await app.metrics.render();
    ctx.type = app.metrics.contentType;
  });
  return router;
};
