import { DomainError } from '../errors.js';
import type { DeviceCommand } from './commands.js';
import type { DeviceEvent } from './events.js';
import { type DeviceState, deviceUse } from './state.js';

export const decideDevice = (command: DeviceCommand, state: DeviceState): readonly DeviceEvent[] => {
  switch (command.type) {
    case 'Remember': {
      if (state.status !== 'none') throw new DomainError('id_collision', 'device selector reused');
      const { selector, accountId, validatorHash, credentials, now, ttlMs } = command;
      return [{ type: 'DeviceRemembered', data: { selector, accountId, validatorHash, expiresAt: now + ttlMs, credentials } }];
    }
    case 'Use': {
      const use = deviceUse(state, command);
      switch (use) {
        case 'ignore':
          return [];
        case 'rotate':
          return [{ type: 'DeviceRotated', data: { validatorHash: command.newValidatorHash } }];
        case 'reuse':
          return [{ type: 'DeviceReuseDetected', data: {} }, { type: 'DeviceRevoked', data: { reason: 'reuse' } }];
        case 'expired':
        case 'credentials_changed':
          return [{ type: 'DeviceRevoked', data: { reason: use } }];
        default: {
          const _exhaustive: never = use;
          return _exhaustive;
        }
      }
    }
    case 'Revoke':
      return state.status === 'active' ? [{ type: 'DeviceRevoked', data: { reason: 'admin' } }] : [];
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
};
