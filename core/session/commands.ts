import type { Aal, LoginMethod } from '../account/events.js';
import type { Dialect } from '../event.js';
import type { RevocationReason } from './events.js';

export type SessionCommand =
  | { type: 'Issue'; sessionId: string; accountId: string; jti: string; aal: Aal; method: LoginMethod; ttlMs: number; dialect: Dialect; apiKeyId?: string; now: number }
  | { type: 'Refresh'; presentedJti: string; jti: string; ttlMs: number; now: number }
  | { type: 'Revoke'; presentedJti: string; reason: RevocationReason; now: number }
  /** Ends the session whatever token is current (an admin action: its API key was revoked). */
  | { type: 'End'; reason: RevocationReason; now: number }
  | {
      type: 'Grant';
      sessionId: string;
      accountId: string;
      aal: Aal;
      tokenHash: string;
      ttlMs: number;
      origin: string | null;
      singleUse: boolean;
      restricted: boolean;
      dialect: Dialect;
      apiKeyId: string | null;
      now: number;
    }
  /**
   * A TOKEN_PLAIN login with this stream's granted token. `tokenMatches`: the presented token's hash is the granted one
   * (compared in constant time before deciding); `address`: where it came from; `accountActive`: its account is
   * registered and not disabled; `keyLive`: the API key it was granted under (if any) is not revoked.
   */
  | { type: 'Resume'; tokenMatches: boolean; address: string | null; accountActive: boolean; keyLive: boolean; now: number };
