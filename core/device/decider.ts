import type { Decider } from '../decider.js';
import type { DeviceCommand } from './commands.js';
import { decideDevice } from './decide.js';
import type { DeviceEvent } from './events.js';
import { evolveDevice } from './evolve.js';
import { type DeviceState, initialDeviceState, upcastDeviceState } from './state.js';

export const deviceDecider: Decider<DeviceCommand, DeviceState, DeviceEvent> = {
  decide: decideDevice,
  evolve: evolveDevice,
  initialState: initialDeviceState,
  upcastState: upcastDeviceState,
  upcasters: {
    // Schema 1 → 2: the credential counter was called `epoch`.
    DeviceRemembered: [({ epoch, ...rest }) => ({ ...rest, credentials: epoch })],
  },
};
