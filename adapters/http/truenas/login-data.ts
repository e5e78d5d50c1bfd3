import { RpcError } from './rpc-error.js';

export type Mechanism = 'PASSWORD_PLAIN' | 'TOKEN_PLAIN' | 'API_KEY_PLAIN' | 'OTP_TOKEN';

export interface LoginOptions {
  /** login_options.user_info (default true): whether SUCCESS carries `user_info` or null. */
  readonly userInfo: boolean;
  /** login_options.reconnect_token (API 26 and later, default false): whether SUCCESS carries a single-use token. */
  readonly reconnectToken: boolean;
}

type Common = LoginOptions;

export type LoginData =
  | (Common & { readonly mechanism: 'PASSWORD_PLAIN'; readonly username: string; readonly password: string })
  | (Common & { readonly mechanism: 'TOKEN_PLAIN'; readonly token: string })
  | (Common & { readonly mechanism: 'API_KEY_PLAIN'; readonly username: string; readonly apiKey: string })
  /** The code as received: its shape is judged by the engine, and a malformed one counts as a failure (docs/security.md §5). */
  | (Common & { readonly mechanism: 'OTP_TOKEN'; readonly otpToken: unknown });

/** The members each mechanism's object may have ("No Additional Properties" in the product's schema). */
const fields: Readonly<Record<Mechanism, readonly string[]>> = {
  PASSWORD_PLAIN: ['username', 'password'],
  TOKEN_PLAIN: ['token'],
  API_KEY_PLAIN: ['username', 'api_key'],
  OTP_TOKEN: ['otp_token'],
};

const limits: Readonly<Record<string, number>> = { username: 1024, password: 64 * 1024, token: 4096, api_key: 1024 };

const isMechanism = (v: unknown): v is Mechanism => typeof v === 'string' && Object.hasOwn(fields, v);

/**
 * `[login_data]` of auth.login_ex / auth.login_ex_continue, checked like the product's schema: exactly one
 * object, a known mechanism (one of `allowed`), its fields and nothing else. Any violation is -32602 naming the
 * attribute, in middlewared's validation-error shape.
 */
export const loginData = (method: string, params: readonly unknown[], allowed: readonly Mechanism[]): LoginData => {
  const at = (name: string) => `${method}.login_data${name === '' ? '' : `.${name}`}`;
  const fail = (name: string, message: string): never => {
    throw RpcError.invalidParams([[at(name), message]]);
  };
  if (params.length !== 1) fail('', params.length === 0 ? 'Field required' : 'Too many arguments');
  const data = params[0];
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return fail('', 'Input should be an object');
  const d = data as Record<string, unknown>;
  const mechanism = d.mechanism;
  if (!Object.hasOwn(d, 'mechanism') || !isMechanism(mechanism) || !allowed.includes(mechanism)) {
    return fail('mechanism', `Input should be ${allowed.map((m) => `'${m}'`).join(' or ')}`);
  }
  const known = new Set(['mechanism', 'login_options', ...fields[mechanism]]);
  for (const key of Object.keys(d)) if (!known.has(key)) fail(key, 'Extra inputs are not permitted');
  const text = (name: string): string => {
    const v = Object.hasOwn(d, name) ? d[name] : undefined;
    if (v === undefined) return fail(name, 'Field required');
    if (typeof v !== 'string') return fail(name, 'Input should be a valid string');
    if (v.length > (limits[name] ?? 4096)) return fail(name, 'String is too long');
    return v;
  };
  const options = loginOptions(d, (name, message) => fail(name, message));
  switch (mechanism) {
    case 'PASSWORD_PLAIN':
      return { mechanism, username: text('username'), password: text('password'), ...options };
    case 'TOKEN_PLAIN':
      return { mechanism, token: text('token'), ...options };
    case 'API_KEY_PLAIN':
      return { mechanism, username: text('username'), apiKey: text('api_key'), ...options };
    case 'OTP_TOKEN':
      if (!Object.hasOwn(d, 'otp_token')) fail('otp_token', 'Field required');
      return { mechanism, otpToken: d.otp_token, ...options };
    default: {
      const _exhaustive: never = mechanism;
      return _exhaustive;
    }
  }
};

/** `login_options: {user_info?: boolean, reconnect_token?: boolean}`; anything else in it is refused like any extra input. */
const loginOptions = (d: Record<string, unknown>, fail: (name: string, message: string) => never): LoginOptions => {
  if (!Object.hasOwn(d, 'login_options')) return { userInfo: true, reconnectToken: false };
  const o = d.login_options;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return fail('login_options', 'Input should be an object');
  for (const key of Object.keys(o)) if (key !== 'user_info' && key !== 'reconnect_token') fail(`login_options.${key}`, 'Extra inputs are not permitted');
  const flag = (name: string, fallback: boolean): boolean => {
    const v = (o as Record<string, unknown>)[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') return fail(`login_options.${name}`, 'Input should be a valid boolean');
    return v;
  };
  return { userInfo: flag('user_info', true), reconnectToken: flag('reconnect_token', false) };
};
