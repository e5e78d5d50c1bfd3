import type { SessionEvent } from './events.js';
import type { SessionState } from './state.js';

export const evolveSession = (state: SessionState, event: SessionEvent): SessionState => {
  switch (event.type) {
    case 'SessionIssued': {
      const { sessionId, accountId, jti, aal, expiresAt, apiKeyId } = event.data;
      return { status: 'active', id: sessionId, accountId, jti, aal, expiresAt, apiKeyId: apiKeyId ?? null };
    }
    case 'SessionRefreshed':
      return state.status === 'active' ? { ...state, jti: event.data.jti, expiresAt: event.data.expiresAt } : state;
    case 'SessionRevoked':
      return state.status === 'active' ? { status: 'revoked', id: state.id, accountId: state.accountId } : state;
    case 'SessionResumed':
    case 'SessionResumeRefused':
      return state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};
