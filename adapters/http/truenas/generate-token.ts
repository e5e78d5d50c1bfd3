import { currentSession } from './current-session.js';
import { RpcError } from './rpc-error.js';
import type { RpcMethod } from './socket-session.js';

/** middlewared's default lifetime; the cap keeps a leaked bearer token from living for weeks. */
const defaultTtlSeconds = 600;
const maxTtlSeconds = 86_400;

const invalid = (name: string, message: string): never => {
  throw RpcError.invalidParams([[`auth.generate_token.${name}`, message]]);
};

/**
 * auth.generate_token `[ttl?, attrs?, match_origin?]` → a token string for TOKEN_PLAIN: an engine session of its
 * own (same account and aal) that outlives this connection. `ttl` is an absolute lifetime in seconds, not the
 * product's idle timeout. Options this engine cannot enforce are refused rather than ignored, so a client never
 * holds a token broader than it asked for: `attrs` (the product's restricted-purpose tokens) must be empty and
 * `match_origin` false.
 */
export const generateToken: RpcMethod = async (session, params, meta) => {
  if (params.length > 3) invalid('', 'Too many arguments');
  const [ttl = null, attrs = {}, matchOrigin = false] = params;
  if (ttl !== null && !(Number.isInteger(ttl) && (ttl as number) >= 1 && (ttl as number) <= maxTtlSeconds)) {
    invalid('ttl', `Input should be an integer from 1 to ${maxTtlSeconds}`);
  }
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) invalid('attrs', 'Input should be an object');
  if (Object.keys(attrs as object).length > 0) invalid('attrs', 'Token attributes are not supported');
  if (typeof matchOrigin !== 'boolean') invalid('match_origin', 'Input should be a valid boolean');
  if (matchOrigin === true) invalid('match_origin', 'Origin-bound tokens are not supported');
  await currentSession(session);
  const ttlMs = ((ttl as number | null) ?? defaultTtlSeconds) * 1000;
  const issued = await session.app.latchkey.deriveToken(session.accessToken, meta, ttlMs);
  if (issued === null) {
    session.accessToken = null;
    throw RpcError.callError('ENOTAUTHENTICATED', 'Not authenticated');
  }
  return issued.accessToken;
};
