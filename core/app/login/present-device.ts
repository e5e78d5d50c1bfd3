import type { Account } from '../../account/state.js';
import { deviceUse } from '../../device/state.js';
import { type BearerSecret, newBearerSecret, parseBearerSecret } from '../kernel/bearer-secret.js';
import type { Deps } from '../kernel/deps.js';
import type { Tx } from '../kernel/tx.js';

/** A remembered device presented with a matching password: whether it lets its holder in, and its next token. */
export interface PresentedDevice {
  readonly bearer: BearerSecret;
  /** Valid for this account now: it may stand in for the second factor. Otherwise presenting it retires it. */
  readonly valid: boolean;
  /** The token it rotates to when it is what lets its holder in. */
  readonly next: BearerSecret;
}

/** A device token only counts after the password matched, so a thief without it cannot burn the owner's series. */
export const presentDevice = async (deps: Deps, tx: Tx, bearer: BearerSecret | null, account: Account): Promise<PresentedDevice | null> => {
  if (bearer === null) return null;
  const state = await tx.load('device', bearer.id);
  const use = deviceUse(state, { accountId: account.id, presentedHash: bearer.hash, accountCredentials: account.credentials, now: tx.now });
  return { bearer, valid: use === 'rotate', next: newBearerSecret(deps, bearer.id) };
};

/**
 * The device's own events: a valid token rotates only when it was what let the user in (`usedToLogIn`); a retired
 * one (expired, credentials changed, a rotated-out copy) is always recorded.
 */
export const settleDevice = async (tx: Tx, device: PresentedDevice, account: Account, usedToLogIn: boolean): Promise<void> => {
  if (device.valid && !usedToLogIn) return;
  await tx.decide('device', device.bearer.id, {
    type: 'Use',
    accountId: account.id,
    presentedHash: device.bearer.hash,
    newValidatorHash: device.next.hash,
    accountCredentials: account.credentials,
    now: tx.now,
  });
};

/** Cheap reads, no argon2: the current token of an active, unexpired device of this very account, credentials unchanged. */
export const isLiveDevice = async (deps: Deps, username: string, token: unknown): Promise<boolean> => {
  const bearer = parseBearerSecret(deps, token);
  if (bearer === null) return false;
  const { state: device } = await deps.store.load('device', bearer.id);
  if (device.status !== 'active' || deps.clock.now() >= device.expiresAt || !deps.digest.same(device.validatorHash, bearer.hash)) return false;
  if (device.accountId !== (await deps.store.accountIdByUsername(username))) return false;
  const { state: account } = await deps.store.load('account', device.accountId);
  return account.status === 'registered' && account.account.credentials === device.credentials;
};
