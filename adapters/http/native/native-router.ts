import Router from '@koa/router';
import type { AppContext } from '../app-context.js';
import { catchFailures } from '../catch-failures.js';
import { parseBody } from '../parse-body.js';
import * as admin from './admin.js';
import * as apiKeys from './api-keys.js';
import { addAuditRoutes } from './audit-router.js';
import { login } from './login.js';
import { loginMfa } from './login-mfa.js';
import { loginMfaEmail } from './login-mfa-email.js';
import { renderNativeFailure } from './render-native-failure.js';
import { requireAdmin } from './require-admin.js';
import { shedWhenSaturated } from '../shed-when-saturated.js';
import { jwks, logout, refreshToken, session } from './sessions.js';

/** The native API of docs/api.md, one route a line. */
export const nativeRouter = (app: AppContext): Router => {
  const router = new Router();
  const errors = catchFailures(app, renderNativeFailure, 'native');
  const json = parseBody('json');
  const isAdmin = requireAdmin(app);
  const shed = shedWhenSaturated(app);

  router.post('/v1/login', errors, shed, json, login(app));
  router.post('/v1/login/mfa', errors, json, loginMfa(app));
  router.post('/v1/login/mfa/email', errors, json, loginMfaEmail(app));
  router.post('/v1/token/refresh', errors, refreshToken(app));
  router.post('/v1/logout', errors, logout(app));
  router.get('/v1/session', errors, session(app));
  router.get('/.well-known/jwks.json', errors, jwks(app));

  router.post('/v1/admin/users', errors, isAdmin, json, admin.createUser(app));
  router.post('/v1/admin/users/:username/totp', errors, isAdmin, admin.enrolTotp(app));
  router.delete('/v1/admin/users/:username/totp', errors, isAdmin, admin.removeTotp(app));
  router.post('/v1/admin/users/:username/totp/confirm', errors, isAdmin, json, admin.confirmTotp(app));
  router.put('/v1/admin/users/:username/email', errors, isAdmin, json, admin.startEmailVerification(app));
  router.delete('/v1/admin/users/:username/email', errors, isAdmin, admin.removeEmail(app));
  router.post('/v1/admin/users/:username/email/confirm', errors, isAdmin, json, admin.confirmEmail(app));
  router.post('/v1/admin/users/:username/recovery-codes', errors, isAdmin, admin.recoveryCodes(app));
  router.post('/v1/admin/users/:username/password', errors, isAdmin, json, admin.changePassword(app));
  router.post('/v1/admin/users/:username/unlock', errors, isAdmin, admin.unlock(app));
  router.delete('/v1/admin/users/:username/devices', errors, isAdmin, admin.forgetDevices(app));
  router.post('/v1/admin/users/:username/disable', errors, isAdmin, admin.setDisabled(app, true));
  router.post('/v1/admin/users/:username/enable', errors, isAdmin, admin.setDisabled(app, false));
  router.post('/v1/admin/users/:username/api-keys', errors, isAdmin, apiKeys.optionalJsonBody(), apiKeys.issueApiKey(app));
  router.delete('/v1/admin/users/:username/api-keys/:id', errors, isAdmin, apiKeys.revokeApiKey(app));
  router.get('/v1/admin/events', errors, isAdmin, admin.events(app));
  if (app.audit !== undefined) addAuditRoutes(router, app, app.audit, [errors, isAdmin], json);
  return router;
};
