import type { Dialect } from '../event.js';
import type { ThrottleScope } from '../ports/throttle.js';

/** A minute's refusals of one budget key, tallied in memory and recorded at once (refusal-tally.ts). */
export type ThrottleCommand = {
  type: 'RecordRefusals';
  scope: ThrottleScope;
  key: string;
  count: number;
  first: number;
  last: number;
  dialects: readonly Dialect[];
  now: number;
};
