import { DomainError } from '../errors.js';
import type { SessionCommand } from './commands.js';
import type { SessionEvent } from './events.js';
import { type SessionState, sessionAccepts } from './state.js';

export const decideSession = (command: SessionCommand, state: SessionState): readonly SessionEvent[] => {
  switch (command.type) {
    case 'Issue': {
      if (state.status !== 'none') throw new DomainError('id_collision', 'session id reused');
      const { sessionId, accountId, jti, aal, method, dialect, now, ttlMs } = command;
      return [{ type: 'SessionIssued', data: { sessionId, accountId, jti, aal, method, dialect, expiresAt: now + ttlMs } }];
    }
    case 'Refresh':
      if (!sessionAccepts(state, command.presentedJti, command.now)) throw new DomainError('invalid_token');
      return [{ type: 'SessionRefreshed', data: { jti: command.jti, expiresAt: command.now + command.ttlMs } }];
    case 'Revoke':
      if (!sessionAccepts(state, command.presentedJti, command.now)) throw new DomainError('invalid_token');
      return [{ type: 'SessionRevoked', data: { reason: command.reason } }];
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
};
