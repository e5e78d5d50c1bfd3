import { loginSuccess } from './login-success.js';
import { RpcError } from './rpc-error.js';
import type { RpcMethod } from './socket-session.js';

const limits: Readonly<Record<string, number>> = { username: 1024, password: 64 * 1024 };

const text = (params: readonly unknown[], index: number, name: string): string => {
  const v = params[index];
  const at = `auth.login.${name}`;
  if (v === undefined) throw RpcError.invalidParams([[at, 'Field required']]);
  if (typeof v !== 'string') throw RpcError.invalidParams([[at, 'Input should be a valid string']]);
  if (v.length > (limits[name] ?? 4096)) throw RpcError.invalidParams([[at, 'String is too long']]);
  return v;
};

/**
 * auth.login `[username, password, otp_token?]` → a boolean: the legacy login the product's client falls back to
 * when a server does not know auth.login_ex (truenas_api_client JSONRPCClient.login_with_password; LegacyClient
 * always uses it). One engine call with the password and, when given, the code: a login like any other (its
 * events, its throttles, its lockout). `false` for every credential failure, the same for all of them.
 *
 * As middlewared's auth.login (a wrapper of auth.login_ex): a 2FA account without a code answers `false` and the
 * connection keeps the pending second step, which auth.login_ex_continue may finish. A code that is not a string
 * is a counted failure like a wrong one (docs/security.md §5), not a params error. Engine refusals (throttle, a
 * full queue, storage) stay CallErrors, as the product's rate limiter raises one before any method runs.
 */
export const authLogin: RpcMethod = async (session, params, meta) => {
  if (params.length > 3) throw RpcError.invalidParams([['auth.login', `Too many arguments (expected 3, found ${params.length})`]]);
  const username = text(params, 0, 'username');
  const password = text(params, 1, 'password');
  const otp = params[2] ?? null;
  session.pending = null;
  const { latchkey, metrics } = session.app;
  const result = await latchkey.login(
    otp === null ? { username, password, secondFactor: 'later' } : { username, password, otp, secondFactor: 'now' },
    meta,
  );
  metrics.inc('latchkey_logins_total', { dialect: 'truenas', result: result.kind });
  switch (result.kind) {
    case 'authenticated':
      await loginSuccess(session, result.token.accessToken, result.token.aal, result.user, { userInfo: false, reconnectToken: false }, meta);
      return true;
    case 'mfa_required':
      // Only without a code ('later'): the step waits on this connection, as the product's auth context does.
      if (otp === null) session.pending = { mfaToken: result.mfaToken, username };
      return false;
    case 'rejected':
      return false;
    default: {
      const _exhaustive: never = result;
      return _exhaustive;
    }
  }
};
