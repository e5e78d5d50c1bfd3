/** Progress on stderr for long runs: at most one line a second, and a final one. */
export const progressReporter = (label: string) => {
  let last = 0;
  const started = performance.now();
  return (done: number, total?: number) => {
    const now = performance.now();
    if (now - last < 1000) return;
    last = now;
    const rate = Math.round(done / ((now - started) / 1000));
    process.stderr.write(`${label}: ${done}${total ? ` / ${total}` : ''} events (${rate}/s)\n`);
  };
};
