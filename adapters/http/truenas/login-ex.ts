import type { EventMeta } from '../../../core/event.js';
import { authResponses } from './auth-responses.js';
import { continueOtp } from './continue-otp.js';
import { type LoginData, loginData } from './login-data.js';
import { loginSuccess } from './login-success.js';
import type { RpcMethod, SocketSession } from './socket-session.js';

const password = async (session: SocketSession, data: Extract<LoginData, { mechanism: 'PASSWORD_PLAIN' }>, meta: EventMeta) => {
  const { latchkey, metrics } = session.app;
  const result = await latchkey.login({ username: data.username, password: data.password, secondFactor: 'later' }, meta);
  metrics.inc('latchkey_logins_total', { dialect: 'truenas', result: result.kind });
  switch (result.kind) {
    case 'authenticated':
      return loginSuccess(session, result.token.accessToken, result.token.aal, result.user, data, meta);
    case 'mfa_required':
      // The engine's mfa token stays on this connection: the client only learns that a code is due.
      session.pending = { mfaToken: result.mfaToken, username: data.username };
      return authResponses.otpRequired(data.username);
    case 'rejected':
      return authResponses.authErr;
    default: {
      const _exhaustive: never = result;
      return _exhaustive;
    }
  }
};

/**
 * TOKEN_PLAIN: a token of auth.generate_token, and nothing else (the product's TokenManager knows no other kind). The
 * login opens the connection's own session at the token's level; its access token stays on the server.
 */
const token = async (session: SocketSession, data: Extract<LoginData, { mechanism: 'TOKEN_PLAIN' }>, meta: EventMeta) => {
  const login = await session.app.latchkey.loginWithToken(data.token, meta);
  session.app.metrics.inc('latchkey_logins_total', { dialect: 'truenas', result: login === null ? 'rejected' : 'authenticated' });
  return login === null ? authResponses.authErr : loginSuccess(session, login.token.accessToken, login.token.aal, login.user, data, meta);
};

const apiKey = async (session: SocketSession, data: Extract<LoginData, { mechanism: 'API_KEY_PLAIN' }>, meta: EventMeta) => {
  const result = await session.app.latchkey.loginWithApiKey({ username: data.username, apiKey: data.apiKey }, meta);
  session.app.metrics.inc('latchkey_logins_total', { dialect: 'truenas', result: result.kind });
  return result.kind === 'authenticated' ? loginSuccess(session, result.token.accessToken, result.token.aal, result.user, data, meta) : authResponses.authErr;
};

/** auth.login_ex `[login_data]`. A first step replaces any login flow still pending on this connection. */
export const loginEx: RpcMethod = async (session, params, meta) => {
  const data = loginData('auth.login_ex', params, ['PASSWORD_PLAIN', 'TOKEN_PLAIN', 'API_KEY_PLAIN', 'OTP_TOKEN']);
  if (data.mechanism !== 'OTP_TOKEN') session.pending = null;
  switch (data.mechanism) {
    case 'PASSWORD_PLAIN':
      return password(session, data, meta);
    case 'TOKEN_PLAIN':
      return token(session, data, meta);
    case 'API_KEY_PLAIN':
      return apiKey(session, data, meta);
    case 'OTP_TOKEN':
      return continueOtp(session, data, meta);
    default: {
      const _exhaustive: never = data;
      return _exhaustive;
    }
  }
};

