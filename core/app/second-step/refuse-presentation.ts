import type { EventMeta } from '../../event.js';
import { parseBearerSecret } from '../kernel/bearer-secret.js';
import type { Deps } from '../kernel/deps.js';
import { transact } from '../kernel/transact.js';
import { spendAddressBudget } from '../login/admit.js';
import { recordUnknownToken } from '../login/record-unknown-token.js';

/**
 * Records a second-step token refused before any code was judged. On its challenge's stream: one of another user
 * than the caller named (`foreign_user`), or a well-formed token whose selector names a pending challenge but whose
 * validator is not its own (`bad_token`). A token that names no challenge at all (or none given) spends the client
 * address's failure budget and is recorded under its HMAC.
 */
export const refusePresentation = async (deps: Deps, token: unknown, reason: 'foreign_user' | 'bad_token', meta: EventMeta): Promise<void> => {
  const bearer = parseBearerSecret(deps, token);
  const state = bearer === null ? null : (await deps.store.load('challenge', bearer.id)).state;
  if (bearer === null || state === null || state.status === 'none') {
    await spendAddressBudget(deps, meta);
    return recordUnknownToken(deps, token, meta);
  }
  await transact(deps, meta, async (tx) => {
    const current = await tx.load('challenge', bearer.id);
    if (reason === 'bad_token' && (current.status !== 'pending' || deps.digest.same(current.tokenHash, bearer.hash))) return;
    await tx.decide('challenge', bearer.id, { type: 'Refuse', reason, now: tx.now });
  });
};
