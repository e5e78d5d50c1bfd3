import type { ChallengeAndAccount, EventStore } from '../../core/ports/event-store.js';

/** `EventStore.challengeAndAccount` as two loads, for stores whose reads are local (memory, SQLite). */
export const challengeAndAccountByLoads = async (load: EventStore['load'], challengeId: string): Promise<ChallengeAndAccount> => {
  const challenge = await load('challenge', challengeId);
  if (challenge.state.status === 'none') return { challenge, account: null };
  const account = await load('account', challenge.state.accountId);
  return { challenge, account: account.version === 0 ? null : account };
};
