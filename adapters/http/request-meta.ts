import type { Context } from 'koa';
import type { Dialect, EventMeta } from '../../core/event.js';
import { replaceInvisibleCharacters } from '../../core/invisible-characters.js';
import type { AppContext } from './app-context.js';
import { clientAddress } from './client-address.js';
import type { AnsweredClient } from './early-refusals.js';

/** Control characters would let a caller forge log lines (docs/security.md §28): keep the user agent printable and short. */
export const printable = (s: string, max: number): string => replaceInvisibleCharacters(s, '?').slice(0, max);

export const requestMeta = (ctx: Context, app: AppContext, dialect: Dialect, ipHeader = 'x-forwarded-for'): EventMeta => {
  const ip = clientAddress(ctx, app.trustedProxies, ipHeader);
  // Who was answered, for the early refusals of a throttled address (early-refusals.ts).
  ctx.state.client = { ip, header: ipHeader, dialect } satisfies AnsweredClient;
  return { requestId: ctx.state.requestId as string, ip, dialect, userAgent: ctx.get('user-agent') ? printable(ctx.get('user-agent'), 256) : null };
};
