/** Milliseconds since the Unix epoch; tests pass a frozen one. */
export interface Clock {
  now(): number;
  /** Resolves after about `ms` milliseconds (a lost race's backoff: core/app/kernel/retry-delay-bound.ts). */
  sleep(ms: number): Promise<void>;
}
