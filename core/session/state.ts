import type { Aal } from '../account/events.js';
import type { ResumeRefusal } from './events.js';

export interface ActiveSession {
  readonly id: string;
  readonly accountId: string;
  readonly jti: string;
  readonly aal: Aal;
  readonly expiresAt: number;
  /** The API key it was opened with, or null. */
  readonly apiKeyId: string | null;
}

/** A token of TrueNAS `auth.generate_token`, good for TOKEN_PLAIN logins until `lastUsedAt + ttlMs`. */
export interface GrantedToken {
  readonly id: string;
  readonly accountId: string;
  readonly aal: Aal;
  readonly tokenHash: string;
  readonly ttlMs: number;
  readonly lastUsedAt: number;
  readonly origin: string | null;
  readonly singleUse: boolean;
  readonly restricted: boolean;
  readonly apiKeyId: string | null;
}

export type SessionState =
  | { readonly status: 'none' }
  | ({ readonly status: 'active' } & ActiveSession)
  | ({ readonly status: 'token' } & GrantedToken)
  | { readonly status: 'revoked'; readonly id: string; readonly accountId: string };

export const initialSessionState = (): SessionState => ({ status: 'none' });

/** A token is good while its session is active, it is the session's current jti, and `now < expiresAt`. */
export const sessionAccepts = (state: SessionState, jti: string, now: number): state is { status: 'active' } & ActiveSession =>
  state.status === 'active' && state.jti === jti && now < state.expiresAt;

/**
 * Why a TOKEN_PLAIN login cannot use this stream's token now, or null when it can, in the product's order: an unknown
 * or expired token, one from another origin, one with attributes, then the account (auth.py, login_ex_impl.py).
 * An access token's session never serves TOKEN_PLAIN: the product's tokens are only those of auth.generate_token.
 */
export const resumeRefusal = (
  state: SessionState,
  command: { tokenMatches: boolean; address: string | null; accountActive: boolean; keyLive: boolean; now: number },
): ResumeRefusal | null => {
  switch (state.status) {
    case 'none':
    case 'active':
      return 'unknown';
    case 'revoked':
      return 'revoked';
    case 'token':
      if (!command.tokenMatches) return 'unknown';
      if (command.now >= state.lastUsedAt + state.ttlMs) return 'expired';
      if (state.origin !== null && state.origin !== command.address) return 'origin';
      if (state.restricted) return 'restricted';
      if (!command.accountActive) return 'account_disabled';
      return command.keyLive ? null : 'api_key_revoked';
    default: {
      const _exhaustive: never = state;
      return _exhaustive;
    }
  }
};

/** Session rows stored before `apiKeyId` existed were opened without a key. */
export const upcastSessionState = (stored: SessionState): SessionState =>
  stored.status !== 'active' || stored.apiKeyId !== undefined ? stored : { ...stored, apiKeyId: null };
