import Router from '@koa/router';
import type { AppContext } from '../app-context.js';
import { catchFailures } from '../catch-failures.js';
import { parseBody } from '../parse-body.js';
import { renderMykaarmaFailure } from './render-mykaarma-failure.js';
import { validatePassword } from './validate-password.js';
import { shedWhenSaturated } from '../shed-when-saturated.js';

/** myKaarma Manage validate-password-with-MFA (docs/dialects/mykaarma.md). */
export const mykaarmaRouter = (app: AppContext): Router => {
  const router = new Router();
  router.post('/manage/v2/user/:userName/validatepasswordonly', catchFailures(app, renderMykaarmaFailure, 'mykaarma'), shedWhenSaturated(app), parseBody('json'), validatePassword(app));
  return router;
};
