/** The most disagreements a check lists for a human; it counts them all. */
export const maxDifferences = 20;

/** The disagreements a check found: the first `maxDifferences` as text, and how many there were. */
export class Differences {
  readonly listed: string[] = [];
  count = 0;

  add(text: string): void {
    if (this.count++ < maxDifferences) this.listed.push(text);
  }

  /** Counted without text (disagreements another part listed beyond its own first few). */
  addUnlisted(n: number): void {
    this.count += n;
  }

  /** The listed ones, and an "… and N more" line when there were more. */
  lines(): string[] {
    return this.count > maxDifferences ? [...this.listed, `… and ${this.count - maxDifferences} more`] : [...this.listed];
  }
}
