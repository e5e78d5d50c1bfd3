import type { Context } from 'koa';
import type { MfaRequirement } from '../../../core/account/events.js';
import type { AppContext } from '../app-context.js';
import { FieldError } from '../failure.js';
import { optionalString, rawField, stringField } from '../fields.js';
import { bodyOf } from '../parse-body.js';
import { requestMeta } from '../request-meta.js';

const meta = (ctx: Context, app: AppContext) => requestMeta(ctx, app, 'admin');
const username = (ctx: Context): string => String(ctx.params.username ?? '');

const roles = (body: Record<string, unknown>): string[] | undefined => {
  const v = rawField(body, 'roles');
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > 64 || !v.every((r) => typeof r === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(r))) {
    throw new FieldError('roles', 'roles must be an array of short names');
  }
  return v as string[];
};

const mfa = (body: Record<string, unknown>): MfaRequirement | undefined => {
  const v = optionalString(body, 'mfa');
  if (v === undefined || v === 'required' || v === 'exempt') return v;
  throw new FieldError('mfa', 'mfa must be "required" or "exempt"');
};

/** POST /v1/admin/users `{username, password | password_hash, roles?, mfa?}` → 201 `{id, username}`. */
export const createUser = (app: AppContext) => async (ctx: Context) => {
  const body = bodyOf(ctx);
  const password = optionalString(body, 'password', 64 * 1024);
  const passwordHash = optionalString(body, 'password_hash', 1024);
  if ((password === undefined) === (passwordHash === undefined)) throw new FieldError('password', 'give exactly one of password and password_hash');
  const created = await app.latchkey.registerUser(
    {
      username: stringField(body, 'username', 1024),
      ...(password === undefined ? {} : { password }),
      ...(passwordHash === undefined ? {} : { passwordHash }),
      roles: roles(body) ?? [],
      mfa: mfa(body) ?? 'required',
    },
    meta(ctx, app),
  );
  ctx.status = 201;
  ctx.body = created;
};

/** POST /v1/admin/users/:username/totp → 201 `{secret, otpauth_uri}` (pending until confirmed). */
export const enrolTotp = (app: AppContext) => async (ctx: Context) => {
  const { secret, otpauthUri } = await app.latchkey.enrolTotp(username(ctx), meta(ctx, app));
  ctx.status = 201;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { secret, otpauth_uri: otpauthUri };
};

/** POST /v1/admin/users/:username/totp/confirm `{otp}` → 204; a wrong code → 400 invalid_otp. */
export const confirmTotp = (app: AppContext) => async (ctx: Context) => {
  const confirmed = await app.latchkey.confirmTotp(username(ctx), rawField(bodyOf(ctx), 'otp'), meta(ctx, app));
  if (!confirmed) {
    ctx.status = 400;
    ctx.body = { error: 'invalid_otp', message: 'The code does not match the pending factor.' };
    return;
  }
  ctx.status = 204;
};

export const removeTotp = (app: AppContext) => async (ctx: Context) => {
  await app.latchkey.removeTotp(username(ctx), meta(ctx, app));
  ctx.status = 204;
};

/** PUT /v1/admin/users/:username/email `{email}` → 202 `{expires_in}`: a code is mailed; the address is pending until confirmed. */
export const startEmailVerification = (app: AppContext) => async (ctx: Context) => {
  const { expiresIn } = await app.latchkey.startEmailVerification(username(ctx), stringField(bodyOf(ctx), 'email', 1024), meta(ctx, app));
  ctx.status = 202;
  ctx.body = { status: 'verification_sent', expires_in: expiresIn };
};

/** POST /v1/admin/users/:username/email/confirm `{code}` → 204; a wrong code → 400 invalid_code. */
export const confirmEmail = (app: AppContext) => async (ctx: Context) => {
  const confirmed = await app.latchkey.confirmEmail(username(ctx), rawField(bodyOf(ctx), 'code'), meta(ctx, app));
  if (!confirmed) {
    ctx.status = 400;
    ctx.body = { error: 'invalid_code', message: 'The code does not match the pending verification.' };
    return;
  }
  ctx.status = 204;
};

export const removeEmail = (app: AppContext) => async (ctx: Context) => {
  await app.latchkey.removeEmail(username(ctx), meta(ctx, app));
  ctx.status = 204;
};

/** POST /v1/admin/users/:username/recovery-codes → 201 `{codes}`: shown once, stored hashed; replaces the old set. */
export const recoveryCodes = (app: AppContext) => async (ctx: Context) => {
  const codes = await app.latchkey.generateRecoveryCodes(username(ctx), meta(ctx, app));
  ctx.status = 201;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { codes };
};

export const changePassword = (app: AppContext) => async (ctx: Context) => {
  await app.latchkey.changePassword(username(ctx), stringField(bodyOf(ctx), 'password', 64 * 1024), meta(ctx, app));
  ctx.status = 204;
};

export const unlock = (app: AppContext) => async (ctx: Context) => {
  await app.latchkey.unlockUser(username(ctx), meta(ctx, app));
  ctx.status = 204;
};

/** DELETE /v1/admin/users/:username/devices → 204: every remembered device of the user stops skipping the code. */
export const forgetDevices = (app: AppContext) => async (ctx: Context) => {
  await app.latchkey.forgetDevices(username(ctx), meta(ctx, app));
  ctx.status = 204;
};

export const setDisabled = (app: AppContext, disabled: boolean) => async (ctx: Context) => {
  await app.latchkey.setUserDisabled(username(ctx), disabled, meta(ctx, app));
  ctx.status = 204;
};

const intParam = (raw: unknown, name: string, fallback: number, max: number): number => {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw) || Number(raw) > max) throw new FieldError(name, `${name} must be an integer from 0 to ${max}`);
  return Number(raw);
};

/** GET /v1/admin/events?after=&limit=&stream= → `{events, next}`; `next` is the `after` of the following page. */
export const events = (app: AppContext) => async (ctx: Context) => {
  const after = intParam(ctx.query.after, 'after', 0, Number.MAX_SAFE_INTEGER);
  const limit = intParam(ctx.query.limit, 'limit', 100, 1000);
  const stream = ctx.query.stream;
  if (stream !== undefined && (typeof stream !== 'string' || stream.length > 200)) throw new FieldError('stream', 'stream must be a stream id');
  const page = await app.latchkey.events({ after, limit, ...(stream === undefined ? {} : { stream }) });
  ctx.body = {
    events: page.map((e) => ({ seq: e.seq, stream: e.stream, version: e.version, type: e.type, data: e.data, meta: e.meta, at: e.at })),
    next: page.length > 0 ? page[page.length - 1]!.seq : after,
  };
};
