import type { Aal, LoginMethod } from '../account/events.js';
import type { Dialect } from '../event.js';
import type { RevocationReason } from './events.js';

export type SessionCommand =
  | { type: 'Issue'; sessionId: string; accountId: string; jti: string; aal: Aal; method: LoginMethod; ttlMs: number; dialect: Dialect; apiKeyId?: string; now: number }
  | { type: 'Refresh'; presentedJti: string; jti: string; ttlMs: number; now: number }
  | { type: 'Revoke'; presentedJti: string; reason: RevocationReason; now: number }
  /** Ends the session whatever token is current (an admin action: its API key was revoked). */
  | { type: 'End'; reason: RevocationReason; now: number }
  /** A login with an access token of this session; `accountActive`: its account is registered and not disabled. */
  | { type: 'Resume'; presentedJti: string; accountId: string; accountActive: boolean; now: number };
