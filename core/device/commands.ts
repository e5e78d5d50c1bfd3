export type DeviceCommand =
  /** `credentials`: the account's credential counter now; a later change of it retires the device. */
  | { type: 'Remember'; selector: string; accountId: string; validatorHash: string; credentials: number; ttlMs: number; now: number }
  /** Only presented after the password matched: a thief without the password cannot burn the owner's token. */
  | { type: 'Use'; accountId: string; presentedHash: string; newValidatorHash: string; accountCredentials: number; now: number }
  | { type: 'Revoke'; now: number };
