import { FieldError } from '../failure.js';
import { stringField } from '../fields.js';

/**
 * The spec's LoginRequest `{providerName, username, password, deviceId}` of POST /admin/authentication and
 * POST /admin/login, as credentials for the engine. Only the built-in "local" provider exists; another name
 * is a 422 on `providerName` (public configuration, not a fact about a user, and it costs no argon2 work).
 */
export const loginRequest = (body: Record<string, unknown>): { username: string; password: string } => {
  const providerName = stringField(body, 'providerName', 256);
  const username = stringField(body, 'username', 1024);
  const password = stringField(body, 'password', 64 * 1024);
  const deviceId = stringField(body, 'deviceId', 256);
  if (providerName !== 'local') throw new FieldError('providerName', 'unknown identity provider; only "local" is available');
  // The spec says `format: uuid` (sdpctl sends one); any non-empty id is taken, as before: it is unused, and
  // refusing more would break scripts that worked (docs/dialects/appgate.md).
  if (deviceId.length === 0) throw new FieldError('deviceId', 'deviceId must not be empty');
  return { username, password };
};
