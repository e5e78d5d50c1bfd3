import type { Context } from 'koa';
import QRCode from 'qrcode';
import type { AppContext } from '../app-context.js';
import { bearerToken } from '../bearer-token.js';
import { optionalString } from '../fields.js';
import { bodyOf } from '../parse-body.js';
import { invalidToken, refuse } from './render-appgate-failure.js';
import { wireState } from './wire-state.js';

/**
 * POST /admin/authentication/otp/initialize (partial token). `{type:"AlreadySeeded"}` for an account with
 * an active TOTP factor; otherwise `{type:"Secret", secret, otpAuthUrl, barcode, state}`: a fresh seed,
 * its QR code as a base64 PNG, and the state that POST /admin/authentication/otp needs to confirm it (base64, as
 * the spec's `format: byte` says).
 * `userPassword` is accepted and ignored: the password was already checked at the first step.
 */
export const otpInitialize = (app: AppContext) => async (ctx: Context) => {
  optionalString(bodyOf(ctx), 'userPassword', 64 * 1024);
  const result = await app.latchkey.startChallengeTotpEnrolment(bearerToken(ctx));
  switch (result.kind) {
    case 'already_seeded':
      ctx.body = { type: 'AlreadySeeded' };
      return;
    case 'secret': {
      const barcode = (await QRCode.toBuffer(result.otpauthUri, { type: 'png', errorCorrectionLevel: 'M' })).toString('base64');
      ctx.body = { type: 'Secret', secret: result.secret, otpAuthUrl: result.otpauthUri, barcode, state: wireState.encode(result.state) };
      return;
    }
    case 'invalid_token':
      return refuse(ctx, invalidToken);
    default: {
      const _exhaustive: never = result;
      return _exhaustive;
    }
  }
};
