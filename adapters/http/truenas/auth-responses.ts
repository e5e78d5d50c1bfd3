/**
 * The fixed answers of auth.login_ex (docs/dialects/truenas.md: AuthRespAuthErr, AuthRespExpired, AuthRespOTPRequired).
 * AUTH_ERR is one object for unknown user, wrong password, wrong key, wrong code and locked account
 * (OWASP ASVS v5 6.3.8): nothing in it can tell them apart.
 */
export const authResponses = {
  authErr: { response_type: 'AUTH_ERR' },
  expired: { response_type: 'EXPIRED' },
  otpRequired: (username: string) => ({ response_type: 'OTP_REQUIRED', username }),
} as const;
