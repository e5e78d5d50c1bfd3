export interface ThrottleState {
  /** Refusals recorded for this key since the log began. */
  readonly refusals: number;
}

export const initialThrottleState = (): ThrottleState => ({ refusals: 0 });
