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
  router.get('/metrics', (ctx) => {
    ctx.type = 'text/plain; version=0.0.4';
    ctx.body = app.metrics.render();
  });
  return router;
};
