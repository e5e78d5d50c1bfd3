import { authLogout } from './auth-logout.js';
import { authMe } from './auth-me.js';
import { generateToken } from './generate-token.js';
import { loginEx } from './login-ex.js';
import { loginExContinue } from './login-ex-continue.js';
import type { RpcMethod } from './socket-session.js';

/** The methods of the dialect, one a line (a Map: no prototype key such as `constructor` can be called). */
export const authMethods: ReadonlyMap<string, RpcMethod> = new Map([
  ['auth.login_ex', loginEx],
  ['auth.login_ex_continue', loginExContinue],
  ['auth.me', authMe],
  ['auth.logout', authLogout],
  ['auth.generate_token', generateToken],
]);
