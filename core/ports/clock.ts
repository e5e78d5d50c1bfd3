/** Milliseconds since the Unix epoch; tests pass a frozen one. */
export interface Clock {
  now(): number;
}
