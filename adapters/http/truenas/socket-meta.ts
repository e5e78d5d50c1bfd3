import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { EventMeta } from '../../../core/event.js';
import type { AppContext } from '../app-context.js';
import { peerBehindProxies } from '../client-address.js';
import { printable } from '../request-meta.js';

const header = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join(',') : (v ?? ''));

/**
 * Event metadata for the calls of one connection: the client address and user agent come from the upgrade
 * request (X-Forwarded-For believed only from a trusted proxy, docs/security.md §22), each call gets its own request id.
 */
export const socketMeta = (req: IncomingMessage, app: AppContext): (() => EventMeta) => {
  const ip = peerBehindProxies(req.socket.remoteAddress, header(req.headers['x-forwarded-for']), app.trustedProxies);
  const agent = header(req.headers['user-agent']);
  const userAgent = agent ? printable(agent, 256) : null;
  return () => ({ requestId: randomUUID(), ip, dialect: 'truenas', userAgent });
};
