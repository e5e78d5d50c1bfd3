import { DomainError } from '../errors.js';
import type { SessionCommand } from './commands.js';
import type { SessionEvent } from './events.js';
import { type SessionState, resumeRefusal, sessionAccepts } from './state.js';

export const decideSession = (command: SessionCommand, state: SessionState): readonly SessionEvent[] => {
  switch (command.type) {
    case 'Issue': {
      if (state.status !== 'none') throw new DomainError('id_collision', 'session id reused');
      const { sessionId, accountId, jti, aal, method, dialect, now, ttlMs, apiKeyId } = command;
      const data = { sessionId, accountId, jti, aal, method, dialect, expiresAt: now + ttlMs };
      return [{ type: 'SessionIssued', data: apiKeyId === undefined ? data : { ...data, apiKeyId } }];
    }
    case 'Grant': {
      if (state.status !== 'none') throw new DomainError('id_collision', 'session id reused');
      const { sessionId, accountId, aal, tokenHash, ttlMs, origin, singleUse, restricted, dialect, apiKeyId } = command;
      const data = { sessionId, accountId, aal, tokenHash, ttlMs, origin, singleUse, restricted, dialect };
      return [{ type: 'TokenGranted', data: apiKeyId === null ? data : { ...data, apiKeyId } }];
    }
    case 'Refresh':
      if (!sessionAccepts(state, command.presentedJti, command.now)) throw new DomainError('invalid_token');
      return [{ type: 'SessionRefreshed', data: { jti: command.jti, expiresAt: command.now + command.ttlMs } }];
    case 'Revoke':
      if (!sessionAccepts(state, command.presentedJti, command.now)) throw new DomainError('invalid_token');
      return [{ type: 'SessionRevoked', data: { reason: command.reason } }];
    case 'End':
      return state.status === 'active' ? [{ type: 'SessionRevoked', data: { reason: command.reason } }] : [];
    case 'Resume': {
      const refusal = resumeRefusal(state, command);
      return refusal === null ? [{ type: 'SessionResumed', data: {} }] : [{ type: 'SessionResumeRefused', data: { reason: refusal } }];
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
};
