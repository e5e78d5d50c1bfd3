import type { Context } from 'koa';

const normalise = (ip: string): string => (ip.startsWith('::ffff:') ? ip.slice(7) : ip);
const plausible = /^[0-9a-fA-F:.]{2,45}$/;

/**
 * The client's address: the socket peer, unless the peer is a configured trusted proxy, in which case
 * the right-most untrusted entry of X-Forwarded-For (or the dialect's own header, e.g. myKaarma's clientIp).
 */
export const clientAddress = (ctx: Context, trustedProxies: ReadonlySet<string>, header = 'x-forwarded-for'): string | null =>
  peerBehindProxies(ctx.socket.remoteAddress, ctx.get(header), trustedProxies);

/** The same rule from a raw peer address and header value (the WebSocket dialect has an upgrade request, not a Koa context). */
export const peerBehindProxies = (remoteAddress: string | undefined, raw: string, trustedProxies: ReadonlySet<string>): string | null => {
  const peer = remoteAddress ? normalise(remoteAddress) : null;
  if (peer === null || !trustedProxies.has(peer)) return peer;
  if (!raw) return peer;
  const hops = raw.split(',').map((s) => normalise(s.trim())).filter((s) => plausible.test(s));
  for (let i = hops.length - 1; i >= 0; i--) if (!trustedProxies.has(hops[i]!)) return hops[i]!;
  return peer;
};
