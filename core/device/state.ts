export type DeviceState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active';
      readonly selector: string;
      readonly accountId: string;
      readonly validatorHash: string;
      readonly expiresAt: number;
      readonly epoch: number;
      readonly rotations: number;
    }
  | { readonly status: 'revoked'; readonly selector: string; readonly accountId: string };

export const initialDeviceState = (): DeviceState => ({ status: 'none' });
