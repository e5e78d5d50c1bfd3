import type { Aal, LoginMethod } from '../account/events.js';
import type { Dialect } from '../event.js';

export type RevocationReason = 'logout' | 'refreshed' | 'admin' | 'credentials_changed';

/** An access-token session. Only the `jti` of the current token is kept: a refresh replaces it. */
export type SessionEvent =
  | {
      type: 'SessionIssued';
      data: { sessionId: string; accountId: string; jti: string; aal: Aal; method: LoginMethod; expiresAt: number; dialect: Dialect };
    }
  | { type: 'SessionRefreshed'; data: { jti: string; expiresAt: number } }
  | { type: 'SessionRevoked'; data: { reason: RevocationReason } };
