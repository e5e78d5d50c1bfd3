import type { Decider } from '../decider.js';
import type { DeviceCommand } from './commands.js';
import { decideDevice } from './decide.js';
import type { DeviceEvent } from './events.js';
import { evolveDevice } from './evolve.js';
import { type DeviceState, initialDeviceState } from './state.js';

export const deviceDecider: Decider<DeviceCommand, DeviceState, DeviceEvent> = {
  decide: decideDevice,
  evolve: evolveDevice,
  initialState: initialDeviceState,
};
