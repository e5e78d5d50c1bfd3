import { DomainError } from '../errors.js';
import type { Policy } from '../policy.js';
import { decideDelivery, isLive } from '../mail/mailed-code.js';
import type { ChallengeCommand } from './commands.js';
import type { ChallengeEvent, ChallengeRefusal } from './events.js';
import { type ChallengeState, challengeUsability, maxRecordedRefusals } from './state.js';

const refusal = (state: ChallengeState, reason: ChallengeRefusal): readonly ChallengeEvent[] =>
  state.status === 'none' || state.refusals >= maxRecordedRefusals ? [] : [{ type: 'ChallengeRefused', data: { reason } }];

export const decideChallenge = (command: ChallengeCommand, state: ChallengeState, policy: Policy): readonly ChallengeEvent[] => {
  switch (command.type) {
    case 'Issue': {
      if (state.status !== 'none') throw new DomainError('id_collision', 'challenge id reused');
      const { challengeId, accountId, tokenHash, epoch, methods, dialect, now } = command;
      return [{ type: 'ChallengeIssued', data: { challengeId, accountId, tokenHash, epoch, methods, dialect, expiresAt: now + policy.challenge.ttlMs } }];
    }
    case 'RecordAttempt': {
      if (state.status !== 'pending' || challengeUsability(state, command.accountEpoch, command.now) !== 'usable') {
        throw new DomainError('invalid_token');
      }
      if (command.result === 'accepted') return [{ type: 'ChallengeCompleted', data: { sessionId: command.sessionId } }];
      const attempts = state.attempts + 1;
      // The cap-reaching answer is already final: the token is dead from this event on.
      return attempts >= policy.challenge.maxAttempts
        ? [{ type: 'ChallengeOtpRejected', data: { attempts } }, { type: 'ChallengeEnded', data: { reason: 'exhausted' } }]
        : [{ type: 'ChallengeOtpRejected', data: { attempts } }];
    }
    case 'Close': {
      if (state.status === 'none') return [];
      if (state.status !== 'pending') return refusal(state, state.status === 'completed' ? 'finished' : state.reason);
      const usability = challengeUsability(state, command.accountEpoch, command.now);
      return usability === 'expired' || usability === 'credentials_changed' ? [{ type: 'ChallengeEnded', data: { reason: usability } }] : [];
    }
    case 'Refuse':
      return refusal(state, command.reason);
    case 'IssueEmailCode': {
      if (state.status !== 'pending' || challengeUsability(state, command.accountEpoch, command.now) !== 'usable') throw new DomainError('invalid_token');
      // Resend refused while a live code is pending (docs/security.md §39): the user has one code to type.
      if (state.email !== null && isLive(state.email, command.now)) return refusal(state, 'email_pending');
      const { codeId, codeMac, outbox, now } = command;
      // The code dies with its challenge at the latest.
      return [{ type: 'EmailCodeIssued', data: { codeId, codeMac, expiresAt: Math.min(now + command.ttlMs, state.expiresAt), outbox } }];
    }
    case 'RecordEmailDelivery':
      return state.status === 'pending' ? decideDelivery(state.email, command.codeId, command.outcome) : [];
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
};
