import type { Context } from 'koa';
import type { AppContext } from '../app-context.js';
import { stringField } from '../fields.js';
import { bodyOf } from '../parse-body.js';
import { requestMeta } from '../request-meta.js';

/**
 * POST /v1/login/mfa/email `{mfa_token}` → 202 `{status: "code_sent", expires_in}`: the same answer whether or not the
 * account has an address (docs/security.md §40). The mail goes out after the answer (the outbox).
 */
export const loginMfaEmail = (app: AppContext) => async (ctx: Context) => {
  const body = bodyOf(ctx);
  const result = await app.latchkey.sendEmailCode({ mfaToken: stringField(body, 'mfa_token') }, requestMeta(ctx, app, 'native'));
  app.metrics.inc('latchkey_email_code_requests_total', { dialect: 'native', result: result.kind });
  switch (result.kind) {
    case 'accepted':
      ctx.status = 202;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status: 'code_sent', expires_in: result.expiresIn };
      return;
    case 'refused':
      // A pending code is no limit of the address: 409, and no Retry-After the early refusals would apply to everyone
      // behind it (docs/security.md §37); the account's limit neither. Only the address's own limit is its 429 + Retry-After.
      if (result.reason === 'email_pending') {
        ctx.status = 409;
        ctx.body = { error: 'code_pending', message: 'A code was sent and is still valid.', retry_after: result.retryAfter };
        return;
      }
      if (result.reason === 'email_address_limit') ctx.set('Retry-After', String(result.retryAfter));
      ctx.status = 429;
      ctx.body = { error: 'throttled', message: 'Too many codes were sent; try again later.', retry_after: result.retryAfter };
      return;
    case 'invalid_token':
      ctx.status = 401;
      ctx.body = { error: 'invalid_mfa_token', message: 'The second-step token is not valid.' };
      return;
    default: {
      const _exhaustive: never = result;
      return _exhaustive;
    }
  }
};
