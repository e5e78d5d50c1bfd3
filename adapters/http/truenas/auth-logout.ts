import { currentSession } from './current-session.js';
import { noParams } from './no-params.js';
import type { RpcMethod } from './socket-session.js';

/** auth.logout → true: the engine revokes the connection's session, and the connection is anonymous again. */
export const authLogout: RpcMethod = async (session, params, meta) => {
  noParams('auth.logout', params);
  await currentSession(session);
  // Revoked first: if the engine cannot record it, the caller gets an error and is still logged in to retry.
  await session.app.latchkey.logout(session.accessToken, meta);
  session.accessToken = null;
  session.pending = null;
  session.subscriptions.clear();
  return true;
};
