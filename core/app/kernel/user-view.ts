import type { MfaRequirement } from '../../account/events.js';
import type { Account } from '../../account/state.js';
import type { SecondFactorMethod } from '../../challenge/events.js';

/** What the dialects may show of an account: never a hash, a seed or a code. */
export interface UserView {
  readonly id: string;
  readonly username: string;
  readonly roles: readonly string[];
  readonly mfa: MfaRequirement;
  readonly methods: readonly SecondFactorMethod[];
}

export const secondFactorMethods = (a: Account): SecondFactorMethod[] => [
  ...(a.totp.status === 'active' ? (['totp'] as const) : []),
  ...(a.email.address !== null ? (['email'] as const) : []),
  ...(a.recovery.some((h) => h !== null) ? (['recovery'] as const) : []),
];

export const userView = (a: Account): UserView => ({ id: a.id, username: a.username, roles: a.roles, mfa: a.mfa, methods: secondFactorMethods(a) });
