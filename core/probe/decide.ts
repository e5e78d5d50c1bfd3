import type { ProbeCommand } from './commands.js';
import type { ProbeEvent } from './events.js';
import type { ProbeState } from './state.js';

export const decideProbe = (command: ProbeCommand, state: ProbeState): readonly ProbeEvent[] => {
  switch (command.type) {
    case 'RecordAttempt':
      return [{ type: 'UnknownUserAttempted', data: { attempts: state.attempts + 1 } }];
    case 'RecordTokenAttempt':
      return [{ type: 'UnknownTokenPresented', data: { attempts: state.attempts + 1 } }];
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
};
