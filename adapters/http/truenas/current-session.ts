import type { SessionView } from '../../../core/app/sessions/authenticate.js';
import { RpcError } from './rpc-error.js';
import type { SocketSession } from './socket-session.js';

/**
 * The engine's view of this connection's login, checked on every call (expired, revoked or disabled in the
 * meantime → the connection is logged out). middlewared refuses calls that need a login with ENOTAUTHENTICATED.
 */
export const currentSession = async (session: SocketSession): Promise<SessionView> => {
  const view = session.accessToken === null ? null : await session.app.latchkey.authenticate(session.accessToken);
  if (view === null) {
    session.accessToken = null;
    throw RpcError.callError('ENOTAUTHENTICATED', 'Not authenticated');
  }
  return view;
};
