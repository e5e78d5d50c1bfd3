/** The milliseconds `f` takes, as the client sees it. */
export const timed = async <T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const started = performance.now();
  const value = await f();
  return { value, ms: performance.now() - started };
};

/** The median (the mean of the two middle values for an even count; NaN for none). */
export const median = (xs: readonly number[]): number => {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  if (v.length === 0) return NaN;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
};
