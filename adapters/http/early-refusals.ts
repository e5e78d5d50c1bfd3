import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'koa';
import type { Dialect } from '../../core/event.js';
import { peerBehindProxies } from './client-address.js';

/** Who the application answered: the client address (and the header it was read from) and the dialect (request-meta.ts). */
export interface AnsweredClient {
  readonly ip: string | null;
  readonly header: string;
  readonly dialect: Dialect;
}

/**
 * A refusal as the application rendered it, but for its Retry-After and X-Request-Id: replayed byte for byte until
 * `until`. A 429 (the address's budget is spent) ends on the engine's clock, as the budget refills; a 503 (busy)
 * on the real one, as load drains.
 */
interface Refusal {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | number | readonly string[]>>;
  readonly body: Buffer;
  readonly until: number;
}

interface Refused {
  readonly header: string;
  readonly dialect: Dialect;
  /** The request lines (method, path, Accept) the application refused, oldest first. */
  readonly lines: Map<string, Refusal>;
  /** The pacing of its answers (performance.now() ms): when the next one may go. */
  nextSlot: number;
}

export interface EarlyRefusalOptions {
  /** The engine's clock (tests move it by hand). */
  readonly now: () => number;
  readonly trustedProxies: ReadonlySet<string>;
  /** Each early refusal, so it is counted and recorded as the application's are (docs/security.md §21). */
  readonly refused: (ip: string, dialect: Dialect) => void;
  readonly maxAddresses?: number;
  readonly maxLinesPerAddress?: number;
  /** Early refusals answered per address and second at once; the excess is held for its turn. */
  readonly answersPerSecond?: number;
  /** The longest a refusal is held for its turn; one that would wait longer is answered at once, closing its connection. */
  readonly maxHoldMs?: number;
}

interface Found {
  readonly ip: string;
  readonly entry: Refused;
  readonly refusal: Refusal;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
/** Koa's callback: its promise never rejects (koa answers its own errors). */
type Next = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * Refusals before koa (docs/security.md §37). Once the application has answered an address 429 with a Retry-After
 * for a request line (method, path, Accept), the same line from the same address is answered that same refusal at
 * the node:http level, with the remaining Retry-After, until the Retry-After has passed: the budget is spent and
 * nothing of that address is being judged, so the application would refuse it too. A flood that ignores Retry-After
 * then costs a table look-up and a write per request instead of koa's middleware. And an address answered 429 or 503
 * (busy: its waiters or the argon2 queue full, storage unavailable) is paced for as long as its Retry-After: at most
 * `answersPerSecond` of its requests on that line a second go on (to the early answer for a 429, to the application
 * for a 503, which may have recovered), the rest held for their turn, at most `maxHoldMs`; one that would wait longer
 * gets the refusal at once with its connection closed. A client that does not wait is made to, and its cost to the
 * event loop is bounded.
 * The address is the application's (client-address.ts, with the header the refused route reads it from). Bounded:
 * `maxAddresses` addresses (the oldest dropped), `maxLinesPerAddress` lines each.
 */
export class EarlyRefusals {
  readonly #options: Required<EarlyRefusalOptions>;
  readonly #addresses = new Map<string, Refused>();
  /** The headers refused routes read a proxied client's address from. */
  readonly #headers = new Set<string>();

  constructor(options: EarlyRefusalOptions) {
    this.#options = { maxAddresses: 10_000, maxLinesPerAddress: 8, answersPerSecond: 100, maxHoldMs: 5_000, ...options };
  }

  /** After the application answered: remembers a 429 or 503 with Retry-After to a client address. */
  note(ctx: Context): void {
    if (ctx.status !== 429 && ctx.status !== 503) return;
    const client = ctx.state.client as AnsweredClient | undefined;
    const retryAfter = Number(ctx.response.get('Retry-After'));
    if (client?.ip == null || !Number.isSafeInteger(retryAfter) || retryAfter < 1) return;
    const body = ctx.body;
    if (typeof body !== 'string' && (typeof body !== 'object' || body === null || Buffer.isBuffer(body) || typeof (body as { pipe?: unknown }).pipe === 'function')) return;
    const headers: Record<string, string | number | readonly string[]> = {};
    for (const [name, value] of Object.entries(ctx.response.headers)) {
      if (value !== undefined && name !== 'retry-after' && name !== 'x-request-id' && name !== 'content-length') headers[name] = value;
    }
    const until = this.#now(ctx.status) + retryAfter * 1000;
    const refusal: Refusal = { status: ctx.status, headers, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), until };
    const map = this.#addresses;
    const entry = map.get(client.ip) ?? { header: client.header, dialect: client.dialect, lines: new Map(), nextSlot: Number.NEGATIVE_INFINITY };
    const line = lineOf(ctx.req);
    entry.lines.delete(line);
    entry.lines.set(line, refusal);
    if (entry.lines.size > this.#options.maxLinesPerAddress) entry.lines.delete(entry.lines.keys().next().value!);
    map.delete(client.ip);
    map.set(client.ip, entry);
    this.#headers.add(client.header);
    if (map.size > this.#options.maxAddresses) this.#prune();
  }

  /** The server's request handler: answers what is refused early, hands the rest to `next` (koa). */
  handler(next: Next): Handler {
    const handle = (req: IncomingMessage, res: ServerResponse, paced = false): void => {
      const found = this.#addresses.size === 0 ? null : this.#find(req);
      if (found === null) {
        next(req, res);
        return;
      }
      const wait = paced ? 0 : this.#pace(found.entry);
      if (wait > this.#options.maxHoldMs) return this.#answer(found, res, true);
      // Held, then decided afresh: the refusal may have ended meanwhile, and then the application judges it.
      if (wait > 0) setTimeout(() => (res.destroyed ? undefined : handle(req, res, true)), wait).unref();
      else if (found.refusal.status === 429) this.#answer(found, res, false);
      // Busy is not a verdict on the address (storage may be back): the application answers afresh, at the paced rate.
      else next(req, res);
    };
    return handle;
  }

  /**
   * How long this refusal waits for its turn (ms, real time): an address is answered `answersPerSecond` refusals a
   * second, in bursts of as many (the virtual scheduling of a token bucket), however fast it sends.
   */
  #pace(entry: Refused): number {
    const interval = 1000 / this.#options.answersPerSecond;
    const now = performance.now();
    const slot = Math.max(entry.nextSlot, now - interval * (this.#options.answersPerSecond - 1));
    entry.nextSlot = slot + interval;
    return Math.max(0, slot - now);
  }

  #answer(found: Found, res: ServerResponse, close: boolean): void {
    const { refusal } = found;
    if (refusal.status === 429) this.#options.refused(found.ip, found.entry.dialect);
    const retryAfter = Math.max(1, Math.ceil((refusal.until - this.#now(refusal.status)) / 1000));
    const headers = { ...refusal.headers, 'retry-after': String(retryAfter), 'x-request-id': randomUUID(), 'content-length': refusal.body.length };
    res.writeHead(refusal.status, close ? { ...headers, connection: 'close' } : headers);
    res.end(refusal.body);
  }

  #now(status: number): number {
    return status === 429 ? this.#options.now() : performance.now();
  }

  /** The refusal that applies to a request now, or null. */
  #find(req: IncomingMessage): Found | null {
    for (const header of this.#headers) {
      const raw = req.headers[header];
      const ip = peerBehindProxies(req.socket.remoteAddress, typeof raw === 'string' ? raw : '', this.#options.trustedProxies);
      const entry = ip === null ? undefined : this.#addresses.get(ip);
      if (entry === undefined || entry.header !== header) continue;
      const line = lineOf(req);
      const refusal = entry.lines.get(line);
      if (refusal === undefined) continue;
      if (this.#now(refusal.status) < refusal.until) return { ip: ip!, entry, refusal };
      entry.lines.delete(line);
      if (entry.lines.size === 0) this.#addresses.delete(ip!);
    }
    return null;
  }

  #prune(): void {
    for (const [ip, entry] of this.#addresses) {
      for (const [line, refusal] of entry.lines) if (this.#now(refusal.status) >= refusal.until) entry.lines.delete(line);
      if (entry.lines.size === 0) this.#addresses.delete(ip);
    }
    for (const ip of this.#addresses.keys()) {
      if (this.#addresses.size <= this.#options.maxAddresses) break;
      this.#addresses.delete(ip);
    }
  }
}

/** What a refusal is replayed for: the method, the path without its query (routes ignore it) and Accept (Appgate answers in it). */
const lineOf = (req: IncomingMessage): string => {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return `${req.method} ${q < 0 ? url : url.slice(0, q)} ${req.headers.accept ?? ''}`;
};
