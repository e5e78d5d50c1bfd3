import { HttpConnection } from './http-connection.js';

export interface Answer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly body: any;
  readonly ms: number;
}

interface Waiting {
  readonly request: string;
  readonly started: number;
  readonly resolve: (a: Answer) => void;
  readonly reject: (e: Error) => void;
}

/** Node's servers close a keep-alive connection after 5 s idle: one idle longer is not reused (it may be closing). */
const maxIdleMs = 4000;

/**
 * A keep-alive HTTP/1.1 client for 127.0.0.1 only: the benchmark never targets another host.
 *
 * It writes each request as one string and reads only what the benchmark needs (status, Retry-After, the body):
 * on 2 cores the load generator shares the CPU with the server, and node:http's client cost ~0.6 ms of CPU per
 * request there, a fifth of what the server spends on a whole login. One request per connection at a time (no
 * pipelining); beyond `maxSockets` connections, calls wait for one to be free.
 */
export class BenchClient {
  private readonly maxSockets: number;
  private readonly host: string;
  private readonly port: number;
  private readonly idle: { connection: HttpConnection; since: number }[] = [];
  private readonly waiting: Waiting[] = [];
  private readonly all = new Set<HttpConnection>();
  private readonly localAddresses: readonly string[];
  private opened = 0;

  /**
   * `localAddress`: the loopback address the connections come from (the server sees it as the client address); with
   * several, each new connection takes the next, so the load comes from as many client addresses.
   */
  constructor(url: string, maxSockets: number, localAddress: string | readonly string[] = []) {
    this.maxSockets = maxSockets;
    this.localAddresses = typeof localAddress === 'string' ? [localAddress] : localAddress;
    const u = new URL(url);
    if (u.hostname !== '127.0.0.1') throw new Error('the benchmark targets 127.0.0.1 only');
    this.host = u.host;
    this.port = Number(u.port);
  }

  call(method: string, path: string, json?: unknown, token?: string): Promise<Answer> {
    const started = performance.now();
    const payload = json === undefined ? '' : JSON.stringify(json);
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.host}\r\n`;
    if (json !== undefined) head += `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n`;
    if (token) head += `authorization: Bearer ${token}\r\n`;
    const request = `${head}\r\n${payload}`;
    return new Promise((resolve, reject) => {
      this.dispatch({ request, started, resolve, reject });
    });
  }

  /** Open connections (idle or busy): what the benchmark holds against the server. */
  get connections(): number {
    return this.all.size;
  }

  close(): void {
    for (const c of this.all) c.destroy();
    this.all.clear();
    this.idle.length = 0;
    for (const w of this.waiting.splice(0)) w.reject(new Error('client closed'));
  }

  private dispatch(w: Waiting): void {
    const connection = this.takeIdle() ?? (this.all.size < this.maxSockets ? this.open() : undefined);
    if (connection === undefined) {
      this.waiting.push(w);
      return;
    }
    connection.send(w.request).then(
      (r) => {
        w.resolve({ status: r.status, retryAfter: r.headers['retry-after'], body: parseBody(r.body), ms: performance.now() - w.started });
        this.release(connection, r.keepAlive);
      },
      (err: Error) => {
        w.reject(err);
        this.release(connection, false);
      },
    );
  }

  private takeIdle(): HttpConnection | undefined {
    const now = performance.now();
    for (let entry = this.idle.pop(); entry !== undefined; entry = this.idle.pop()) {
      if (entry.connection.open && now - entry.since < maxIdleMs) return entry.connection;
      this.drop(entry.connection);
    }
    return undefined;
  }

  private open(): HttpConnection {
    const connection = new HttpConnection(this.port, () => this.drop(connection), this.localAddresses[this.opened++ % this.localAddresses.length]);
    this.all.add(connection);
    return connection;
  }

  private drop(connection: HttpConnection): void {
    connection.destroy();
    this.all.delete(connection);
    const i = this.idle.findIndex((e) => e.connection === connection);
    if (i >= 0) this.idle.splice(i, 1);
  }

  private release(connection: HttpConnection, reusable: boolean): void {
    if (reusable && connection.open) this.idle.push({ connection, since: performance.now() });
    else this.drop(connection);
    const next = this.waiting.shift();
    if (next) this.dispatch(next);
  }
}

const parseBody = (body: Buffer): unknown => {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};
