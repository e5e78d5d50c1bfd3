import { Agent, request } from 'node:http';

export interface Answer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly body: any;
  readonly ms: number;
}

/** A keep-alive HTTP/1.1 client for 127.0.0.1 only: the benchmark never targets another host. */
export class BenchClient {
  readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(url: string, maxSockets: number) {
    const u = new URL(url);
    if (u.hostname !== '127.0.0.1') throw new Error('the benchmark targets 127.0.0.1 only');
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  call(method: string, path: string, json?: unknown, token?: string): Promise<Answer> {
    const started = performance.now();
    const payload = json === undefined ? undefined : JSON.stringify(json);
    const headers: Record<string, string> = {};
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if (token) headers.authorization = `Bearer ${token}`;
    return new Promise((resolve, reject) => {
      const req = request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = text;
          }
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, body, ms: performance.now() - started });
        });
      });
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
