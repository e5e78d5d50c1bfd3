import { FieldError } from '../failure.js';
import { stringField } from '../fields.js';

/** The spec's `deviceId`: `format: uuid` (sdpctl sends the machine id as a UUID, or a random one). */
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  if (!uuid.test(deviceId)) throw new FieldError('deviceId', 'deviceId must be a UUID');
  return { username, password };
};
