import { base64url } from '../../base64url.js';
import type { Deps } from './deps.js';

/**
 * Opaque bearer tokens (second-step tokens, device tokens): `<id>.<secret>`. The id finds the stream,
 * only a hash of the whole token is stored, and the comparison is constant-time.
 */
export interface BearerSecret {
  readonly id: string;
  readonly token: string;
  readonly hash: string;
}

const idPattern = /^[0-9a-f-]{36}$/;
const secretPattern = /^[A-Za-z0-9_-]{43}$/;

/** A fresh token; with `id`, a rotation of an existing one (same selector, new validator). */
export const newBearerSecret = (deps: Deps, id: string = deps.random.id()): BearerSecret => {
  const token = `${id}.${base64url(deps.random.bytes(32))}`;
  return { id, token, hash: deps.digest.sha256(token) };
};

export const parseBearerSecret = (deps: Deps, token: unknown): BearerSecret | null => {
  if (typeof token !== 'string' || token.length !== 80) return null;
  const [id, secret, ...rest] = token.split('.');
  if (rest.length > 0 || !id || !secret || !idPattern.test(id) || !secretPattern.test(secret)) return null;
  return { id, token, hash: deps.digest.sha256(token) };
};
