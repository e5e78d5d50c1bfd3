import type { OtpOutcome } from '../../account/commands.js';
import type { Account } from '../../account/state.js';
import type { Dialect } from '../../event.js';
import { accountAsStaged } from '../kernel/account-as-staged.js';
import { type BearerSecret, newBearerSecret } from '../kernel/bearer-secret.js';
import type { Deps } from '../kernel/deps.js';
import type { Tx } from '../kernel/tx.js';
import { type UserView, userView } from '../kernel/user-view.js';
import { type PendingToken, stageSession } from '../sessions/issued-token.js';
import type { LoginInput } from './login.js';
import { presentDevice, settleDevice } from './present-device.js';

/** What the crypto said before the transaction (docs/style.md §7). */
export interface PasswordCheck {
  readonly account: Account;
  readonly match: boolean;
  readonly otp: OtpOutcome;
  /** A device token, parsed only when the password matched. */
  readonly device: BearerSecret | null;
  readonly ttlMs: number;
}

export type PasswordStepOutcome =
  | { readonly kind: 'rejected' }
  | { readonly kind: 'mfa_required'; readonly mfaToken: string; readonly user: UserView }
  | { readonly kind: 'authenticated'; readonly pending: PendingToken; readonly deviceToken: string | null; readonly account: Account };

/**
 * The password step inside one transaction: the account decides on the password (and a code or a remembered
 * device), a success stages a fresh session, an accepted password with a second step to come issues a challenge.
 */
export const passwordStep = async (
  deps: Deps,
  tx: Tx,
  check: PasswordCheck,
  input: Pick<LoginInput, 'secondFactor'>,
  dialect: Dialect,
): Promise<PasswordStepOutcome> => {
  const { account } = check;
  const current = await tx.load('account', account.id);
  if (current.status !== 'registered') return { kind: 'rejected' };
  const device = await presentDevice(deps, tx, check.device, current.account);
  const events = await tx.decide('account', account.id, {
    type: 'CheckPassword',
    password: check.match ? 'match' : 'mismatch',
    checkedHash: account.passwordHash,
    otp: check.otp,
    secondFactor: input.secondFactor,
    trustedDevice: device?.valid === true,
    now: tx.now,
  });
  const success = events.find((e) => e.type === 'LoginSucceeded');
  const byDevice = success?.data.method === 'password+device';
  if (device !== null) await settleDevice(tx, device, current.account, byDevice);
  if (success) {
    const pending = stageSession(deps, tx, { accountId: account.id, ...success.data, dialect, ttlMs: check.ttlMs });
    return { kind: 'authenticated', pending, deviceToken: byDevice ? device!.next.token : null, account: await accountAsStaged(tx, account) };
  }
  if (events.some((e) => e.type === 'PasswordAccepted')) {
    const challenge = newBearerSecret(deps);
    const user = userView(current.account);
    tx.decideNew('challenge', challenge.id, {
      type: 'Issue',
      challengeId: challenge.id,
      accountId: account.id,
      tokenHash: challenge.hash,
      epoch: current.account.epoch,
      methods: user.methods,
      dialect,
      now: tx.now,
    });
    return { kind: 'mfa_required', mfaToken: challenge.token, user };
  }
  return { kind: 'rejected' };
};
