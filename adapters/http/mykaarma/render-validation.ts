import type { Context } from 'koa';
import type { LoginResult } from '../../../core/app/login/login-result.js';
import { envelope } from './envelope.js';
import { mykaarmaUser } from './mykaarma-user.js';

export type BypassReason = 'REMEMBERED_DEVICE' | 'EXEMPT';

/**
 * Every success carries all the page's fields, null where they do not apply. No access token: the page has no
 * field for one (the caller validates a password; the engine still records its session).
 */
export const renderValidated = (ctx: Context, result: Extract<LoginResult, { kind: 'authenticated' }>, bypass: BypassReason | null): void => {
  ctx.set('Cache-Control', 'no-store');
  ctx.body = envelope(ctx, [], {
    userMFARememberMeToken: result.deviceToken,
    sessionToken: null,
    mfaRequired: false,
    mfaType: null,
    mfaBypassed: bypass !== null,
    mfaBypassReason: bypass,
    user: mykaarmaUser(result.user),
  });
};

/** Step 1 with MFA required: the engine's second-step token is the page's `sessionToken`. */
export const renderMfaRequired = (ctx: Context, result: Extract<LoginResult, { kind: 'mfa_required' }>, mfaType: 'TOTP' | 'EMAIL'): void => {
  ctx.set('Cache-Control', 'no-store');
  ctx.body = envelope(ctx, [], {
    userMFARememberMeToken: null,
    sessionToken: result.mfaToken,
    // TOTP: the code goes in `token` (a recovery code as well); EMAIL: a code was mailed, it goes in `emailToken`.
    mfaType,
    mfaRequired: true,
    mfaBypassed: false,
    mfaBypassReason: null,
    user: null,
  });
};
