import type { Context, Next } from 'koa';

/** The peer API versions served (docs/dialects/appgate.md: 18–23, 23 being the spec's); every Appgate client pins one in its Accept header. */
export const minSupportedVersion = 18;
export const maxSupportedVersion = 23;

const peerType = /^application\/vnd\.appgate\.peer-v(\d{1,4})\+json$/i;

export const peerMediaType = (version: number): string => `application/vnd.appgate.peer-v${version}+json`;

/** The requested version, or null: `*\/*` and `application/json` name no version, so they are refused too. */
export const requestedVersion = (accept: string): number | null => {
  for (const part of accept.split(',')) {
    const m = peerType.exec(part.split(';')[0]!.trim());
    const n = m ? Number(m[1]) : NaN;
    if (n >= minSupportedVersion && n <= maxSupportedVersion) return n;
  }
  return null;
};

/**
 * Outermost middleware of every Appgate route: 406 in the product's shape before anything else runs (no
 * body is read: sdpctl learns min and max by posting a bare `{deviceId}` as peer-v5), and every answer
 * (errors included) carries the requested peer media type.
 */
export const peerVersion = () => async (ctx: Context, next: Next) => {
  const version = requestedVersion(ctx.get('accept'));
  if (version === null) {
    ctx.status = 406;
    ctx.body = {
      id: 'not acceptable',
      message: `Invalid 'Accept' header. Current version: ${peerMediaType(maxSupportedVersion)}`,
      minSupportedVersion,
      maxSupportedVersion,
    };
    return;
  }
  await next();
  if (ctx.body !== undefined && ctx.body !== null) ctx.type = peerMediaType(version);
};
