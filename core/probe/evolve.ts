import type { ProbeEvent } from './events.js';
import type { ProbeState } from './state.js';

export const evolveProbe = (_state: ProbeState, event: ProbeEvent): ProbeState => ({ attempts: event.data.attempts });
