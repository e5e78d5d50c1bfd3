import type { Aal } from '../../../core/account/events.js';
import type { UserView } from '../../../core/app/kernel/user-view.js';
import type { EventMeta } from '../../../core/event.js';
import type { LoginOptions } from './login-data.js';
import type { SocketSession } from './socket-session.js';
import { userInfo } from './user-info.js';

/** TrueNAS' authenticator levels are the assurance levels of NIST SP 800-63B: LEVEL_2 needs a second factor. */
const authenticator = (aal: Aal): 'LEVEL_1' | 'LEVEL_2' => (aal === 'aal2' ? 'LEVEL_2' : 'LEVEL_1');

/** middlewared's reconnect token (auth.py login_ex): DEFAULT_TOKEN_TTL, no attributes, this origin only, single use. */
const reconnectTtlMs = 600_000;

/**
 * The connection is now logged in with this token (kept server-side) and has no login pending. With
 * `login_options.reconnect_token` (API 26), SUCCESS also carries a token for TOKEN_PLAIN, as auth.generate_token
 * `[600, {}, true, true]` would give: the UI's way back in after a dropped connection. The member is there only when
 * asked for, so the answer older clients get is unchanged.
 */
export const loginSuccess = async (session: SocketSession, accessToken: string, aal: Aal, user: UserView, options: LoginOptions, meta: EventMeta) => {
  session.accessToken = accessToken;
  session.pending = null;
  const answer = { response_type: 'SUCCESS', user_info: options.userInfo ? userInfo(user) : null, authenticator: authenticator(aal) } as const;
  if (!options.reconnectToken) return answer;
  const grant = { ttlMs: reconnectTtlMs, origin: meta.ip ?? '', singleUse: true, restricted: false };
  return { ...answer, reconnect_token: await session.app.latchkey.grantToken(accessToken, grant, meta) };
};
