import { authLogin } from './auth-login.js';
import { authLogout } from './auth-logout.js';
import { authMe } from './auth-me.js';
import { corePing } from './core-ping.js';
import { coreSetOptions } from './core-set-options.js';
import { coreSubscribe, coreUnsubscribe } from './core-subscribe.js';
import { generateToken } from './generate-token.js';
import { loginEx } from './login-ex.js';
import { loginExContinue } from './login-ex-continue.js';
import type { RpcMethod } from './socket-session.js';

/**
 * The methods of the dialect, one a line, served alike on both endpoints (JSON-RPC at /api/current, the legacy
 * protocol at /websocket). A Map: no prototype key such as `constructor` can be called.
 */
export const methods: ReadonlyMap<string, RpcMethod> = new Map([
  ['auth.login', authLogin],
  ['auth.login_ex', loginEx],
  ['auth.login_ex_continue', loginExContinue],
  ['auth.me', authMe],
  ['auth.logout', authLogout],
  ['auth.generate_token', generateToken],
  ['core.set_options', coreSetOptions],
  ['core.subscribe', coreSubscribe],
  ['core.unsubscribe', coreUnsubscribe],
  ['core.ping', corePing],
]);
