import type { DeviceRevocation } from './events.js';

export type DeviceState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active';
      readonly selector: string;
      readonly accountId: string;
      readonly validatorHash: string;
      readonly expiresAt: number;
      /** The account's credential counter this device is good for. */
      readonly credentials: number;
      readonly rotations: number;
    }
  | { readonly status: 'revoked'; readonly selector: string; readonly accountId: string };

export const initialDeviceState = (): DeviceState => ({ status: 'none' });

/**
 * What presenting a device token means now, for the account that presents it: `rotate` lets its holder in (and its
 * validator rotates), `ignore` concerns another account or a dead device, anything else retires the device.
 */
export const deviceUse = (
  state: DeviceState,
  use: { readonly accountId: string; readonly presentedHash: string; readonly accountCredentials: number; readonly now: number },
): 'rotate' | 'ignore' | Exclude<DeviceRevocation, 'admin'> => {
  if (state.status !== 'active' || state.accountId !== use.accountId) return 'ignore';
  if (use.now >= state.expiresAt) return 'expired';
  if (state.credentials !== use.accountCredentials) return 'credentials_changed';
  // A validator that is not the current one is a rotated-out copy: someone else holds the series.
  return state.validatorHash === use.presentedHash ? 'rotate' : 'reuse';
};

/** Device rows stored before schema 2 of DeviceRemembered kept the credential counter as `epoch`. */
export const upcastDeviceState = (stored: DeviceState): DeviceState => {
  if (stored.status !== 'active' || stored.credentials !== undefined) return stored;
  const { epoch, ...rest } = stored as typeof stored & { epoch: number };
  return { ...rest, credentials: epoch };
};
