/** A few counters and gauges in Prometheus text format; labels are fixed strings, never user input. */
export class Metrics {
  private readonly counters = new Map<string, number>();
  private readonly gauges = new Map<string, () => number>();
  private readonly afterRender: (() => void)[] = [];

  inc(name: string, labels: Record<string, string> = {}, by = 1): void {
    const key = `${name}${formatLabels(labels)}`;
    this.counters.set(key, (this.counters.get(key) ?? 0) + by);
  }

  gauge(name: string, read: () => number): void {
    this.gauges.set(name, read);
  }

  /** For windowed gauges (e.g. event-loop delay percentiles since the previous scrape). */
  onRendered(reset: () => void): void {
    this.afterRender.push(reset);
  }

  render(): string {
    const lines: string[] = [];
    for (const [key, value] of [...this.counters].sort()) lines.push(`${key} ${value}`);
    for (const [name, read] of this.gauges) lines.push(`${name} ${read()}`);
    for (const reset of this.afterRender) reset();
    return `${lines.join('\n')}\n`;
  }
}

const formatLabels = (labels: Record<string, string>): string => {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}`;
};
