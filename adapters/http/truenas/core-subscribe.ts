import { randomUUID } from 'node:crypto';
import { currentSession } from './current-session.js';
import { RpcError } from './rpc-error.js';
import type { RpcMethod } from './socket-session.js';

/** The one event a client of the product subscribes to on its own (truenas_api_client watches its jobs). */
export const jobsEvent = 'core.get_jobs';

/** Enough for any real client; the map is bounded so a logged-in client cannot grow it without end. */
const maxSubscriptions = 64;

const string = (method: string, name: string, params: readonly unknown[]): string => {
  if (params.length === 0) throw RpcError.invalidParams([[`${method}.${name}`, 'Field required']]);
  if (params.length > 1) throw RpcError.invalidParams([[method, `Too many arguments (expected 1, found ${params.length})`]]);
  const v = params[0];
  if (typeof v !== 'string') throw RpcError.invalidParams([[`${method}.${name}`, 'Input should be a valid string']]);
  return v;
};

/**
 * core.subscribe `[event]` → a subscription id (a UUID, as middlewared's). It needs a login (ENOTAUTHENTICATED
 * before, which the product's client expects and ignores). Only `core.get_jobs` is known; no event is ever sent,
 * since the engine runs no jobs. Any other name is refused as the product refuses an event the caller may not
 * see (EACCES "Not authorized").
 */
export const coreSubscribe: RpcMethod = async (session, params) => {
  const event = string('core.subscribe', 'event', params);
  await currentSession(session);
  if (event !== jobsEvent) throw RpcError.callError('EACCES', 'Not authorized');
  if (session.subscriptions.size >= maxSubscriptions) throw RpcError.callError('EBUSY', 'Too many subscriptions');
  const ident = randomUUID();
  session.subscriptions.set(ident, event);
  return ident;
};

/** core.unsubscribe `[id]` → null; an id that names no subscription is ignored, as middlewared ignores it. */
export const coreUnsubscribe: RpcMethod = async (session, params) => {
  const ident = string('core.unsubscribe', 'id_', params);
  await currentSession(session);
  session.subscriptions.delete(ident);
  return null;
};
