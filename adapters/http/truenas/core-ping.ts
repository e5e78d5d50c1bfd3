import { noParams } from './no-params.js';
import type { RpcMethod } from './socket-session.js';

/** core.ping → "pong", without a login (middlewared CoreService.ping; rate limited like any anonymous call). */
export const corePing: RpcMethod = async (_session, params) => {
  noParams('core.ping', params);
  return 'pong';
};
