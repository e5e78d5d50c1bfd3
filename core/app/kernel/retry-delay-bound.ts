/** The bound of the first delay, doubled for each race lost after it up to `retryDelayCapMs` (docs/design.md "Retries"). */
export const retryDelayBaseMs = 8;
export const retryDelayCapMs = 32;

/**
 * After losing the `attempt`-th race (another request appended to one of the command's streams first), the next
 * attempt waits a uniform random time below this bound ("full jitter"). The first lost race costs a re-read and no
 * wait (0): on one node it is two requests of one account interleaved, and the retry wins. From the second on, the
 * losers are in a crowd (a burst spread over nodes on one database) and the delay spreads them apart:
 * min(cap, base · 2^(attempt - 2)).
 */
export const retryDelayBound = (attempt: number): number => (attempt < 2 ? 0 : Math.min(retryDelayCapMs, retryDelayBaseMs * 2 ** (attempt - 2)));
