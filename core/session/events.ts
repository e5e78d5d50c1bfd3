import type { Aal, LoginMethod } from '../account/events.js';
import type { Dialect } from '../event.js';

export type RevocationReason = 'logout' | 'refreshed' | 'admin' | 'credentials_changed' | 'api_key_revoked';

/** Why a presented access token did not resume its session (TrueNAS TOKEN_PLAIN). */
export type ResumeRefusal = 'revoked' | 'expired' | 'superseded' | 'account_disabled' | 'unknown';

/** An access-token session. Only the `jti` of the current token is kept: a refresh replaces it. */
export type SessionEvent =
  | {
      type: 'SessionIssued';
      /** `apiKeyId`: the key it was opened with (method `api_key`); revoking the key ends the session. */
      data: { sessionId: string; accountId: string; jti: string; aal: Aal; method: LoginMethod; expiresAt: number; dialect: Dialect; apiKeyId?: string };
    }
  | { type: 'SessionRefreshed'; data: { jti: string; expiresAt: number } }
  | { type: 'SessionRevoked'; data: { reason: RevocationReason } }
  /** A login with the session's current access token (TrueNAS TOKEN_PLAIN), and one it refused. */
  | { type: 'SessionResumed'; data: Record<string, never> }
  | { type: 'SessionResumeRefused'; data: { reason: ResumeRefusal } };
