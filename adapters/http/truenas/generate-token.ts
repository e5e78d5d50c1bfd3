import { currentSession } from './current-session.js';
import { RpcError } from './rpc-error.js';
import type { RpcMethod } from './socket-session.js';

/** middlewared's DEFAULT_TOKEN_TTL: also what `ttl: null` comes to (auth.py sets it when None). */
const defaultTtlSeconds = 600;

const invalid = (name: string, message: string): never => {
  throw RpcError.invalidParams([[`auth.generate_token.${name}`, message]]);
};

/**
 * auth.generate_token `[ttl = 600, attrs = {}, match_origin = true, single_use = false]` (AuthGenerateTokenArgs of
 * API v25.04 and later) → an opaque token for TOKEN_PLAIN, as the product's TokenManager makes one: good while unused
 * for `ttl` seconds (each login with it starts the ttl again), only from this connection's address when `match_origin`,
 * once when `single_use`; a token with `attrs` is the product's restricted kind, which TOKEN_PLAIN refuses ("Bad
 * token"). It is no access token: no session route of any dialect takes it as a bearer. `attrs.job` names a job to
 * download, and there are no jobs here: the product's CallError for a job that does not exist.
 */
export const generateToken: RpcMethod = async (session, params, meta) => {
  // middlewared checks the login before the method sees its arguments.
  await currentSession(session);
  if (params.length > 4) invalid('', 'Too many arguments');
  const [ttl = defaultTtlSeconds, attrs = {}, matchOrigin = true, singleUse = false] = params;
  if (ttl !== null && !(Number.isSafeInteger(ttl) && Number.isSafeInteger((ttl as number) * 1000))) invalid('ttl', 'Input should be a valid integer');
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) invalid('attrs', 'Input should be a valid dictionary');
  if (typeof matchOrigin !== 'boolean') invalid('match_origin', 'Input should be a valid boolean');
  if (typeof singleUse !== 'boolean') invalid('single_use', 'Input should be a valid boolean');
  const job = (attrs as Record<string, unknown>).job;
  if (job !== undefined && job !== null) throw RpcError.callError('EFAULT', `${String(job)}: job does not exist.`);
  const grant = {
    ttlMs: ((ttl as number | null) ?? defaultTtlSeconds) * 1000,
    origin: matchOrigin ? (meta.ip ?? '') : null,
    singleUse: singleUse as boolean,
    restricted: Object.keys(attrs as object).length > 0,
  };
  const token = await session.app.latchkey.grantToken(session.accessToken, grant, meta);
  if (token === null) {
    session.accessToken = null;
    throw RpcError.callError('ENOTAUTHENTICATED', 'Not authenticated');
  }
  return token;
};
