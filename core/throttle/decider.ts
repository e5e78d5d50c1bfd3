import type { Decider } from '../decider.js';
import type { ThrottleCommand } from './commands.js';
import type { ThrottleEvent } from './events.js';
import { type ThrottleState, initialThrottleState } from './state.js';

export const throttleDecider: Decider<ThrottleCommand, ThrottleState, ThrottleEvent> = {
  decide: ({ scope, key, count, first, last, dialects }) => (count > 0 ? [{ type: 'ThrottleRefusals', data: { scope, key, count, first, last, dialects } }] : []),
  evolve: (state, event) => ({ refusals: state.refusals + event.data.count }),
  initialState: initialThrottleState,
  upcastState: (stored) => stored,
  upcasters: {},
};
