import { hasInvisibleCharacters } from './invisible-characters.js';

/**
 * One spelling per account: NFKC, then lower case, then trim (docs/api.md, "Canonical username").
 * Control and format characters (Unicode Cc/Cf) are refused: they hide in logs and UIs.
 */
export const maxUsernameLength = 256;

export const canonicalUsername = (raw: string): string => raw.normalize('NFKC').toLowerCase().trim();

export type UsernameCheck = { readonly ok: true; readonly username: string } | { readonly ok: false; readonly reason: string };

export const checkNewUsername = (raw: string): UsernameCheck => {
  const username = canonicalUsername(raw);
  if (username.length === 0) return { ok: false, reason: 'username is empty' };
  if (username.length > maxUsernameLength) return { ok: false, reason: 'username is too long' };
  if (hasInvisibleCharacters(raw) || hasInvisibleCharacters(username)) return { ok: false, reason: 'username contains control or format characters' };
  return { ok: true, username };
};
