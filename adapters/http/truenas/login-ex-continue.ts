import { continueOtp } from './continue-otp.js';
import { loginData } from './login-data.js';
import type { RpcMethod } from './socket-session.js';

/** auth.login_ex_continue `[{mechanism: "OTP_TOKEN", otp_token}]`: "a convenience wrapper around auth.login_ex" (docs/dialects/truenas.md). */
export const loginExContinue: RpcMethod = async (session, params, meta) => {
  const data = loginData('auth.login_ex_continue', params, ['OTP_TOKEN']);
  if (data.mechanism !== 'OTP_TOKEN') throw new Error('unreachable: only OTP_TOKEN is allowed here');
  return continueOtp(session, data, meta);
};
