export type DeviceRevocation = 'reuse' | 'credentials_changed' | 'expired' | 'admin';

/**
 * A remembered device (OWASP "device cookies"): token = selector + validator; only a hash of the
 * validator is stored, it rotates on every use, and the absolute expiry is kept across rotations.
 * `credentials` is the account's credential counter when the device was remembered (schema 2; schema 1 called it
 * `epoch`, which is the name of the account's other counter).
 */
export type DeviceEvent =
  | { type: 'DeviceRemembered'; data: { selector: string; accountId: string; validatorHash: string; expiresAt: number; credentials: number } }
  | { type: 'DeviceRotated'; data: { validatorHash: string } }
  | { type: 'DeviceReuseDetected'; data: Record<string, never> }
  | { type: 'DeviceRevoked'; data: { reason: DeviceRevocation } };
