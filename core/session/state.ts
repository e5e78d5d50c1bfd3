import type { Aal } from '../account/events.js';

export interface ActiveSession {
  readonly id: string;
  readonly accountId: string;
  readonly jti: string;
  readonly aal: Aal;
  readonly expiresAt: number;
}

export type SessionState =
  | { readonly status: 'none' }
  | ({ readonly status: 'active' } & ActiveSession)
  | { readonly status: 'revoked'; readonly id: string; readonly accountId: string };

export const initialSessionState = (): SessionState => ({ status: 'none' });

/** A token is good while its session is active, it is the session's current jti, and `now < expiresAt`. */
export const sessionAccepts = (state: SessionState, jti: string, now: number): state is { status: 'active' } & ActiveSession =>
  state.status === 'active' && state.jti === jti && now < state.expiresAt;
