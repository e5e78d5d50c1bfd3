import type { DeviceEvent } from './events.js';
import type { DeviceState } from './state.js';

export const evolveDevice = (state: DeviceState, event: DeviceEvent): DeviceState => {
  switch (event.type) {
    case 'DeviceRemembered': {
      const { selector, accountId, validatorHash, expiresAt, credentials } = event.data;
      return { status: 'active', selector, accountId, validatorHash, expiresAt, credentials, rotations: 0 };
    }
    case 'DeviceRotated':
      return state.status === 'active' ? { ...state, validatorHash: event.data.validatorHash, rotations: state.rotations + 1 } : state;
    case 'DeviceReuseDetected':
      return state;
    case 'DeviceRevoked':
      return state.status === 'active' ? { status: 'revoked', selector: state.selector, accountId: state.accountId } : state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};
