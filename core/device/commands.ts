export type DeviceCommand =
  | { type: 'Remember'; selector: string; accountId: string; validatorHash: string; epoch: number; ttlMs: number; now: number }
  /** Only presented after the password matched: a thief without the password cannot burn the owner's token. */
  | { type: 'Use'; accountId: string; presentedHash: string; newValidatorHash: string; accountEpoch: number; now: number }
  | { type: 'Revoke'; now: number };
