import type { Aal, LoginMethod } from '../account/events.js';
import type { Dialect } from '../event.js';

export type RevocationReason = 'logout' | 'refreshed' | 'admin' | 'credentials_changed' | 'api_key_revoked';

/**
 * Why a TOKEN_PLAIN login with a token of TrueNAS `auth.generate_token` was refused: `origin`, from another address
 * than the one that asked for a `match_origin` token; `restricted`, a token with `attrs` (not a login token, as in
 * the product). `superseded` was a refreshed access token when TOKEN_PLAIN took those (older logs).
 */
export type ResumeRefusal = 'revoked' | 'expired' | 'superseded' | 'account_disabled' | 'api_key_revoked' | 'unknown' | 'origin' | 'restricted';

/** An access-token session. Only the `jti` of the current token is kept: a refresh replaces it. */
export type SessionEvent =
  | {
      type: 'SessionIssued';
      /** `apiKeyId`: the key it was opened with (method `api_key`); revoking the key ends the session. */
      data: { sessionId: string; accountId: string; jti: string; aal: Aal; method: LoginMethod; expiresAt: number; dialect: Dialect; apiKeyId?: string };
    }
  /**
   * A TrueNAS `auth.generate_token` token (docs/dialects/truenas.md): no access token, only the SHA-256 of an opaque
   * one; good for TOKEN_PLAIN logins while unused for `ttlMs` (each login restarts it), from `origin` when not null,
   * once when `singleUse`, never when `restricted` (it was given `attrs`); `apiKeyId`: the key of the session that asked
   * for it, which it lives no longer than (as middlewared's token credentials check their root credentials).
   */
  | {
      type: 'TokenGranted';
      data: { sessionId: string; accountId: string; aal: Aal; tokenHash: string; ttlMs: number; origin: string | null; singleUse: boolean; restricted: boolean; dialect: Dialect; apiKeyId?: string };
    }
  | { type: 'SessionRefreshed'; data: { jti: string; expiresAt: number } }
  | { type: 'SessionRevoked'; data: { reason: RevocationReason } }
  /** A TOKEN_PLAIN login with a granted token, and one it refused (older logs: with an access token). */
  | { type: 'SessionResumed'; data: Record<string, never> }
  | { type: 'SessionResumeRefused'; data: { reason: ResumeRefusal } };
