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

export type SessionState =
  | { readonly status: 'none' }
  | ({ readonly status: 'active' } & ActiveSession)
  | { readonly status: 'revoked'; readonly id: string; readonly accountId: string };

export const initialSessionState = (): SessionState => ({ status: 'none' });

/** A token is good while its session is active, it is the session's current jti, and `now < expiresAt`. */
export const sessionAccepts = (state: SessionState, jti: string, now: number): state is { status: 'active' } & ActiveSession =>
  state.status === 'active' && state.jti === jti && now < state.expiresAt;

/** Why a token of this session cannot resume it now, or null when it can. */
export const resumeRefusal = (state: SessionState, jti: string, accountId: string, now: number): ResumeRefusal | null => {
  switch (state.status) {
    case 'none':
      return 'unknown';
    case 'revoked':
      return 'revoked';
    case 'active':
      if (state.accountId !== accountId) return 'unknown';
      if (now >= state.expiresAt) return 'expired';
      return state.jti === jti ? null : 'superseded';
    default: {
      const _exhaustive: never = state;
      return _exhaustive;
    }
  }
};

/** Session rows stored before `apiKeyId` existed were opened without a key. */
export const upcastSessionState = (stored: SessionState): SessionState =>
  stored.status !== 'active' || stored.apiKeyId !== undefined ? stored : { ...stored, apiKeyId: null };
