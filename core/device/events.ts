export type DeviceRevocation = 'reuse' | 'credentials_changed' | 'expired' | 'admin';

/**
 * A remembered device (OWASP "device cookies"): token = selector + validator; only a hash of the
 * validator is stored, it rotates on every use, and the absolute expiry is kept across rotations.
 */
export type DeviceEvent =
  | { type: 'DeviceRemembered'; data: { selector: string; accountId: string; validatorHash: string; expiresAt: number; epoch: number } }
  | { type: 'DeviceRotated'; data: { validatorHash: string } }
  | { type: 'DeviceReuseDetected'; data: Record<string, never> }
  | { type: 'DeviceRevoked'; data: { reason: DeviceRevocation } };
