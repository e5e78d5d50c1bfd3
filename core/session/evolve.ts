import type { SessionEvent } from './events.js';
import type { SessionState } from './state.js';

export const evolveSession = (state: SessionState, event: SessionEvent, at: number): SessionState => {
  switch (event.type) {
    case 'SessionIssued': {
      const { sessionId, accountId, jti, aal, expiresAt, apiKeyId } = event.data;
      return { status: 'active', id: sessionId, accountId, jti, aal, expiresAt, apiKeyId: apiKeyId ?? null };
    }
    case 'TokenGranted': {
      const { sessionId, accountId, aal, tokenHash, ttlMs, origin, singleUse, restricted, apiKeyId } = event.data;
      return { status: 'token', id: sessionId, accountId, aal, tokenHash, ttlMs, lastUsedAt: at, origin, singleUse, restricted, apiKeyId: apiKeyId ?? null };
    }
    case 'SessionRefreshed':
      return state.status === 'active' ? { ...state, jti: event.data.jti, expiresAt: event.data.expiresAt } : state;
    case 'SessionRevoked':
      return state.status === 'active' ? { status: 'revoked', id: state.id, accountId: state.accountId } : state;
    case 'SessionResumed':
      // Each login restarts the token's ttl (middlewared's Token.notify_used); a single-use token is spent.
      if (state.status !== 'token') return state;
      return state.singleUse ? { status: 'revoked', id: state.id, accountId: state.accountId } : { ...state, lastUsedAt: at };
    case 'SessionResumeRefused':
      return state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};
