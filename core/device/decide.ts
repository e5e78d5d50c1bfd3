import { DomainError } from '../errors.js';
import type { DeviceCommand } from './commands.js';
import type { DeviceEvent } from './events.js';
import type { DeviceState } from './state.js';

export const decideDevice = (command: DeviceCommand, state: DeviceState): readonly DeviceEvent[] => {
  switch (command.type) {
    case 'Remember': {
      if (state.status !== 'none') throw new DomainError('concurrency', 'device selector reused');
      const { selector, accountId, validatorHash, epoch, now, ttlMs } = command;
      return [{ type: 'DeviceRemembered', data: { selector, accountId, validatorHash, epoch, expiresAt: now + ttlMs } }];
    }
    case 'Use': {
      if (state.status !== 'active' || state.accountId !== command.accountId) return [];
      if (command.now >= state.expiresAt) return [{ type: 'DeviceRevoked', data: { reason: 'expired' } }];
      if (state.epoch !== command.accountEpoch) return [{ type: 'DeviceRevoked', data: { reason: 'credentials_changed' } }];
      // A validator that is not the current one is a rotated-out copy: someone else holds the series.
      if (state.validatorHash !== command.presentedHash) {
        return [{ type: 'DeviceReuseDetected', data: {} }, { type: 'DeviceRevoked', data: { reason: 'reuse' } }];
      }
      return [{ type: 'DeviceRotated', data: { validatorHash: command.newValidatorHash } }];
    }
    case 'Revoke':
      return state.status === 'active' ? [{ type: 'DeviceRevoked', data: { reason: 'admin' } }] : [];
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
};
