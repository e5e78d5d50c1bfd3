import type { Decider } from '../decider.js';
import { sendsWithinHour, withSend } from '../mail/send-window.js';
import type { AddressCommand } from './commands.js';
import type { AddressEvent } from './events.js';
import { type AddressState, initialAddressState } from './state.js';

export const addressDecider: Decider<AddressCommand, AddressState, AddressEvent> = {
  decide: (command, state, policy) => (sendsWithinHour(state.sends, command.now) >= policy.email.perAddressPerHour ? [] : [{ type: 'EmailCodeRequestedFrom', data: {} }]),
  evolve: (state, _event, at) => ({ sends: withSend(state.sends, at) }),
  initialState: initialAddressState,
  upcastState: (stored) => stored,
  upcasters: {},
};
