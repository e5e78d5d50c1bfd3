import type { UserView } from '../../../core/app/kernel/user-view.js';
import type { IssuedToken } from '../../../core/app/sessions/issued-token.js';
import type { AppgateSettings } from './appgate-settings.js';
import { privilegesOf } from './privileges-of.js';

/**
 * The page's login response: `user`, `token`, `expires` (ISO 8601), `messageOfTheDay`. `crlEnabled` is
 * false because Latchkey issues no X.509 certificates; the ZTP fields are left out (no ZTP here).
 */
export const loginResponse = (
  settings: AppgateSettings,
  user: UserView,
  token: { readonly token: string; readonly expiresAtMs: number; readonly needTwoFactorAuth: boolean },
) => {
  const { privileges, canAccessAuditLogs } = privilegesOf(user.roles);
  return {
    user: { name: user.username, needTwoFactorAuth: token.needTwoFactorAuth, canAccessAuditLogs, privileges },
    token: token.token,
    expires: new Date(token.expiresAtMs).toISOString(),
    messageOfTheDay: settings.messageOfTheDay,
    crlEnabled: false,
  };
};

/** Token lifetimes come as seconds from now; JWT `exp` is whole seconds, so `expires` is too. */
export const expiresAt = (nowMs: number, expiresInSeconds: number): number => (Math.floor(nowMs / 1000) + expiresInSeconds) * 1000;

/** The full login response for an access token the engine just issued (`now`: the engine's clock). */
export const fullLoginResponse = (settings: AppgateSettings, now: number, result: { readonly user: UserView; readonly token: IssuedToken }) =>
  loginResponse(settings, result.user, { token: result.token.accessToken, expiresAtMs: expiresAt(now, result.token.expiresIn), needTwoFactorAuth: false });
