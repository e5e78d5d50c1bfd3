/** Nearest-rank percentile of unsorted samples (0 for none). */
export const percentile = (samples: readonly number[], p: number): number => {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

export const median = (values: readonly number[]): number => percentile(values, 50);

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
