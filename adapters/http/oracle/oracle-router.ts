import Router from '@koa/router';
import type { AppContext } from '../app-context.js';
import { catchFailures } from '../catch-failures.js';
import { parseBody } from '../parse-body.js';
import { mfaLogin } from './mfa-login.js';
import { logout, refresh, verify } from './oracle-sessions.js';
import { renderOracleFailure } from './render-oracle-failure.js';
import { shedWhenSaturated } from '../shed-when-saturated.js';

/** Oracle Commerce Cloud admin login (docs/dialects/oracle.md), one route a line. */
export const oracleRouter = (app: AppContext): Router => {
  const router = new Router();
  const errors = catchFailures(app, renderOracleFailure, 'oracle');

  router.post('/ccadmin/v1/mfalogin', errors, shedWhenSaturated(app), parseBody('form'), mfaLogin(app));
  router.post('/ccadmin/v1/refresh', errors, refresh(app));
  router.post('/ccadmin/v1/logout', errors, logout(app));
  router.post('/ccadmin/v1/verify', errors, verify(app));
  return router;
};
