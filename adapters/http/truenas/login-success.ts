import type { Aal } from '../../../core/account/events.js';
import type { UserView } from '../../../core/app/kernel/user-view.js';
import type { SocketSession } from './socket-session.js';
import { userInfo } from './user-info.js';

/** TrueNAS' authenticator levels are the assurance levels of NIST SP 800-63B: LEVEL_2 needs a second factor. */
const authenticator = (aal: Aal): 'LEVEL_1' | 'LEVEL_2' => (aal === 'aal2' ? 'LEVEL_2' : 'LEVEL_1');

/** The connection is now logged in with this token (kept server-side) and has no login pending. */
export const loginSuccess = (session: SocketSession, accessToken: string, aal: Aal, user: UserView, withUserInfo: boolean) => {
  session.accessToken = accessToken;
  session.pending = null;
  return { response_type: 'SUCCESS', user_info: withUserInfo ? userInfo(user) : null, authenticator: authenticator(aal) } as const;
};
