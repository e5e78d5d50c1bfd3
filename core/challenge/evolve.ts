import { evolveMailedCode } from '../mail/mailed-code.js';
import type { ChallengeEvent } from './events.js';
import type { ChallengeState } from './state.js';

export const evolveChallenge = (state: ChallengeState, event: ChallengeEvent, at: number): ChallengeState => {
  switch (event.type) {
    case 'ChallengeIssued': {
      const { challengeId, accountId, tokenHash, expiresAt, epoch, methods } = event.data;
      return { status: 'pending', id: challengeId, accountId, tokenHash, expiresAt, epoch, methods, attempts: 0, refusals: 0, email: null };
    }
    case 'ChallengeOtpRejected':
      return state.status === 'pending' ? { ...state, attempts: event.data.attempts } : state;
    case 'ChallengeCompleted':
      return state.status === 'pending' ? { status: 'completed', id: state.id, accountId: state.accountId, refusals: state.refusals } : state;
    case 'ChallengeEnded':
      return state.status === 'pending' ? { status: 'ended', id: state.id, accountId: state.accountId, reason: event.data.reason, refusals: state.refusals } : state;
    case 'ChallengeRefused':
      return state.status === 'none' ? state : { ...state, refusals: state.refusals + 1 };
    case 'EmailCodeIssued': {
      if (state.status !== 'pending') return state;
      const { codeId, codeMac, expiresAt, outbox } = event.data;
      return { ...state, email: { codeId, codeMac, issuedAt: at, expiresAt, outbox, delivery: outbox === null ? 'withheld' : 'sending', attempts: 0 } };
    }
    case 'EmailCodeDelivered':
    case 'EmailDeliveryFailed':
    case 'EmailCodeAbandoned':
      return state.status === 'pending' && state.email !== null ? { ...state, email: evolveMailedCode(state.email, event) } : state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};
