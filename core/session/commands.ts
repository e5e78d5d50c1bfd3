import type { Aal, LoginMethod } from '../account/events.js';
import type { Dialect } from '../event.js';
import type { RevocationReason } from './events.js';

export type SessionCommand =
  | { type: 'Issue'; sessionId: string; accountId: string; jti: string; aal: Aal; method: LoginMethod; ttlMs: number; dialect: Dialect; now: number }
  | { type: 'Refresh'; presentedJti: string; jti: string; ttlMs: number; now: number }
  | { type: 'Revoke'; presentedJti: string; reason: RevocationReason; now: number };
