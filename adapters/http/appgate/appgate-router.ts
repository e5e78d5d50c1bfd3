import Router from '@koa/router';
import type { AppContext } from '../app-context.js';
import { catchFailures } from '../catch-failures.js';
import { identityProviderNames } from './identity-provider-names.js';
import { parseBody } from '../parse-body.js';
import { appgateSettings } from './appgate-settings.js';
import { authentication } from './authentication.js';
import { authorization } from './authorization.js';
import { logout } from './logout.js';
import { optionalJsonBody } from './optional-json-body.js';
import { otp } from './otp.js';
import { otpInitialize } from './otp-initialize.js';
import { peerVersion } from './peer-version.js';
import { shedWhenSaturated } from '../shed-when-saturated.js';
import { renderAppgateFailure } from './render-appgate-failure.js';
import { simplifiedLogin } from './simplified-login.js';

/** Appgate SDP's admin login (docs/dialects/appgate.md): one route a line, all of it over the one engine. */
export const appgateRouter = (app: AppContext): Router => {
  const router = new Router();
  const settings = appgateSettings();
  const accept = peerVersion();
  const errors = catchFailures(app, renderAppgateFailure, 'appgate');
  const json = parseBody('json');

  router.get('/admin/identity-providers/names', accept, errors, identityProviderNames());
  router.post('/admin/login', accept, errors, shedWhenSaturated(app), json, simplifiedLogin(app, settings));
  router.post('/admin/authentication', accept, errors, shedWhenSaturated(app), json, authentication(app, settings));
  router.get('/admin/authorization', accept, errors, authorization(app, settings));
  router.post('/admin/authentication/otp/initialize', accept, errors, optionalJsonBody(), otpInitialize(app));
  router.post('/admin/authentication/otp', accept, errors, json, otp(app, settings));
  router.post('/admin/authentication/logout', accept, errors, logout(app));
  return router;
};
