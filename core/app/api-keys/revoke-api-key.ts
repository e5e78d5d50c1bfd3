import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { accountNamed } from '../kernel/registered-account.js';
import { transact } from '../kernel/transact.js';

/**
 * True when the key existed and is now revoked; an unknown key id changes nothing. The sessions opened with it end
 * in the same append (the ones the account remembers; any older one stops authenticating with the key anyway).
 */
export const revokeApiKey = async (deps: Deps, username: string, keyId: string, meta: EventMeta): Promise<boolean> => {
  const account = await accountNamed(deps, username);
  return transact(deps, meta, async (tx) => {
    const state = await tx.load('account', account.id);
    const sessions = state.status === 'registered' ? (state.account.apiKeys.find((k) => k.id === keyId)?.sessions ?? []) : [];
    const events = await tx.decide('account', account.id, { type: 'RevokeApiKey', keyId, now: tx.now });
    if (events.length === 0) return false;
    for (const sessionId of sessions) await tx.decide('session', sessionId, { type: 'End', reason: 'api_key_revoked', now: tx.now });
    return true;
  });
};
