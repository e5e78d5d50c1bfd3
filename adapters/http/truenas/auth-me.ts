import { currentSession } from './current-session.js';
import { noParams } from './no-params.js';
import type { RpcMethod } from './socket-session.js';
import { userInfo } from './user-info.js';

/** auth.me: the logged-in user, as in login_ex's `user_info`. */
export const authMe: RpcMethod = async (session, params) => {
  noParams('auth.me', params);
  const { user } = await currentSession(session);
  return userInfo(user);
};
