import type { EventMeta } from '../../../core/event.js';
import { authResponses } from './auth-responses.js';
import type { LoginData } from './login-data.js';
import { loginSuccess } from './login-success.js';
import { RpcError } from './rpc-error.js';
import type { SocketSession } from './socket-session.js';

/**
 * The OTP_TOKEN step (auth.login_ex_continue, or auth.login_ex with that mechanism): the engine's second step
 * with the mfa token this connection holds, so the code can only finish this connection's own login.
 * A wrong code asks again until the engine's attempt cap, whose answer is already the final AUTH_ERR
 * (docs/dialects/truenas.md: the 5th wrong code kills the step); a step past its 5 minutes answers EXPIRED.
 */
export const continueOtp = async (session: SocketSession, data: Extract<LoginData, { mechanism: 'OTP_TOKEN' }>, meta: EventMeta) => {
  const pending = session.pending;
  // middlewared answers a continuation without a pending OTP_REQUIRED with a CallError (EINVAL); the engine records
  // the attempt (a code with no step to continue) first.
  if (pending === null) {
    await session.app.latchkey.continueLogin({ mfaToken: null, otp: data.otpToken }, meta);
    throw RpcError.callError('EINVAL', 'OTP_TOKEN: no authentication attempt in progress');
  }
  const result = await session.app.latchkey.continueLogin({ mfaToken: pending.mfaToken, otp: data.otpToken }, meta);
  session.app.metrics.inc('latchkey_second_steps_total', { dialect: 'truenas', result: result.kind });
  const finish = () => {
    if (session.pending === pending) session.pending = null;
  };
  switch (result.kind) {
    case 'authenticated':
      return loginSuccess(session, result.token.accessToken, result.token.aal, result.user, data, meta);
    case 'invalid_otp':
      if (result.attemptsRemaining > 0) return authResponses.otpRequired(pending.username);
      finish();
      return authResponses.authErr;
    case 'invalid_token':
      finish();
      return result.reason === 'expired' ? authResponses.expired : authResponses.authErr;
    default: {
      const _exhaustive: never = result;
      return _exhaustive;
    }
  }
};
