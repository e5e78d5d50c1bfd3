/** Sends are counted over the last hour (docs/security.md §39): a fold keeps their times, at most this many. */
export const sendWindowMs = 3600_000;
export const sendMemory = 64;

export const sendsWithinHour = (times: readonly number[], now: number): number => times.filter((t) => now - t < sendWindowMs).length;

/** Seconds until the oldest send of the window leaves it: a 429's Retry-After. */
export const secondsUntilSendFrees = (times: readonly number[], now: number, limit: number): number => {
  const recent = times.filter((t) => now - t < sendWindowMs);
  const oldest = recent[recent.length - limit] ?? now;
  return Math.max(1, Math.ceil((oldest + sendWindowMs - now) / 1000));
};

export const withSend = (times: readonly number[], at: number): readonly number[] => [...times, at].slice(-sendMemory);
