import type { Context } from 'koa';

/** RFC 6750 `Authorization: Bearer <token>`; anything else is no token. */
export const bearerToken = (ctx: Context): string | null => {
  const m = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(ctx.get('authorization'));
  return m ? m[1]! : null;
};
