import type { SecondFactorMethod } from '../../challenge/events.js';
import type { IssuedToken } from '../sessions/issued-token.js';
import type { UserView } from '../kernel/user-view.js';

export type LoginResult =
  | { readonly kind: 'authenticated'; readonly user: UserView; readonly token: IssuedToken; readonly deviceToken: string | null }
  | {
      readonly kind: 'mfa_required';
      readonly user: UserView;
      readonly mfaToken: string;
      readonly methods: readonly SecondFactorMethod[];
      readonly expiresIn: number;
    }
  /** Unknown user, wrong password, wrong code, locked, no factor: one answer (OWASP ASVS v5 6.3.8). */
  | { readonly kind: 'rejected' };

export type ContinueResult =
  | Extract<LoginResult, { kind: 'authenticated' }>
  | { readonly kind: 'invalid_otp'; readonly attemptsRemaining: number }
  | { readonly kind: 'invalid_token'; readonly reason: 'unknown' | 'finished' | 'expired' | 'exhausted' | 'credentials_changed' };
