import type { Context } from 'koa';
import { DomainError } from '../../../core/errors.js';
import type { EventMeta } from '../../../core/event.js';
import type { AppContext } from '../app-context.js';
import { FieldError } from '../failure.js';
import { stringField } from '../fields.js';
import { bodyOf } from '../parse-body.js';
import { requestMeta } from '../request-meta.js';
import { nullableBoolean, nullableRaw, nullableString } from './nullable-fields.js';
import { type BypassReason, renderMfaRequired, renderValidated } from './render-validation.js';
import { invalidCredentials, renderMykaarmaFailure } from './render-mykaarma-failure.js';

/** The path's user, bounded like every username field (docs/dialects/mykaarma.md: canonicalised by the engine, not here). */
const userNameOf = (ctx: Context): string => {
  const name = ctx.params.userName;
  if (typeof name !== 'string' || name.length === 0 || name.length > 1024) throw new FieldError('userName', 'userName is not valid');
  return name;
};

/** Why MFA was skipped: a rotated remember-me token, or an exempt account (aal1: no second factor at all). */
const bypassOf = (deviceToken: string | null, aal: 'aal1' | 'aal2'): BypassReason | null => {
  if (deviceToken !== null) return 'REMEMBERED_DEVICE';
  return aal === 'aal1' ? 'EXEMPT' : null;
};

/**
 * POST /manage/v2/user/:userName/validatepasswordonly `{password, token?, emailToken?, mfaType?, userMFARememberMeToken?,
 * sessionToken?, mfaRememberDevice?}`. With a `sessionToken` it is the second step; otherwise the first (or only).
 */
export const validatePassword = (app: AppContext) => async (ctx: Context) => {
  const body = bodyOf(ctx);
  const userName = userNameOf(ctx);
  const password = stringField(body, 'password', 64 * 1024);
  const sessionToken = nullableString(body, 'sessionToken');
  const rememberMeToken = nullableString(body, 'userMFARememberMeToken');
  const rememberDevice = nullableBoolean(body, 'mfaRememberDevice') ?? false;
  const emailToken = nullableRaw(body, 'emailToken');
  const mfaType = nullableString(body, 'mfaType', 16);
  if (mfaType !== undefined && mfaType !== 'EMAIL' && mfaType !== 'TOTP') throw new FieldError('mfaType', 'mfaType must be "EMAIL" or "TOTP"');
  // An e-mail code is judged against the challenge that mailed it: without its sessionToken there is none. Answered
  // before any credential check, so it is the same for every account.
  if (emailToken !== undefined && sessionToken === undefined) throw new FieldError('emailToken', 'emailToken needs the sessionToken of the step that mailed it');
  // Said before the password is judged, so a server without SMTP answers every account alike.
  if (mfaType === 'EMAIL' && !app.latchkey.mailAvailable()) throw new DomainError('factor_unavailable', 'E-mail codes are not available on this server.');
  const meta = requestMeta(ctx, app, 'mykaarma', 'clientip');
  const code = nullableRaw(body, 'token');
  if (sessionToken !== undefined) return secondStep(app, ctx, { userName, sessionToken, code, emailToken, rememberDevice }, meta);
  // Step 1, or one step when a code (or a remembered device) comes with the password.
  const result = await app.latchkey.login({ username: userName, password, otp: code, deviceToken: rememberMeToken, secondFactor: 'later' }, meta);
  app.metrics.inc('latchkey_logins_total', { dialect: 'mykaarma', result: result.kind });
  switch (result.kind) {
    case 'authenticated':
      return renderValidated(ctx, result, bypassOf(result.deviceToken, result.token.aal));
    case 'mfa_required': {
      // E-mail when asked for, or when it is the account's factor and TOTP is not. Asked for by an account without an
      // address: the same answer and work, no mail (docs/security.md §40).
      const byEmail = mfaType === 'EMAIL' || (mfaType === undefined && result.methods.includes('email') && !result.methods.includes('totp'));
      const sent = byEmail ? await app.latchkey.sendEmailCode({ mfaToken: result.mfaToken, username: userName }, meta) : null;
      // No Retry-After: this path also takes every password, and the early refusals would hold them all (docs/security.md §37).
      if (sent?.kind === 'refused') return renderMykaarmaFailure(ctx, { status: 429, code: 'throttled', message: 'Too many codes were sent; try again later.' });
      return renderMfaRequired(ctx, result, byEmail ? 'EMAIL' : 'TOTP');
    }
    case 'rejected':
      return renderMykaarmaFailure(ctx, invalidCredentials);
    default: {
      const _exhaustive: never = result;
      return _exhaustive;
    }
  }
};

/**
 * The sessionToken decides the account (docs/security.md §10); a token of another user than the path's is refused
 * (and recorded) by the engine before it is used. The password must be present, but is not verified again: the challenge proves it was
 * verified (for this account, under 5 minutes ago, by the holder of this 256-bit token), and a second argon2 per
 * login would double the cost and open a second, uncounted guessing path.
 */
const secondStep = async (
  app: AppContext,
  ctx: Context,
  input: { userName: string; sessionToken: string; code: unknown; emailToken: unknown; rememberDevice: boolean },
  meta: EventMeta,
) => {
  const result = await app.latchkey.continueLogin(
    { mfaToken: input.sessionToken, otp: input.code, emailCode: input.emailToken, rememberDevice: input.rememberDevice, username: input.userName },
    meta,
  );
  app.metrics.inc('latchkey_second_steps_total', { dialect: 'mykaarma', result: result.kind });
  switch (result.kind) {
    case 'authenticated':
      return renderValidated(ctx, result, null);
    case 'invalid_otp':
    case 'invalid_token':
      return renderMykaarmaFailure(ctx, invalidCredentials);
    default: {
      const _exhaustive: never = result;
      return _exhaustive;
    }
  }
};
