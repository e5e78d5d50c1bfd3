import type { TestServer } from './test-server.js';

/** A JSON-RPC 2.0 client over one WebSocket (the TrueNAS dialect); null when the server has no socket at `path`. */
export interface RpcClient {
  call(method: string, params?: unknown[]): Promise<any>;
  /** Sends a raw text frame and waits for the next message (or null after `ms` with none, or on close). */
  raw(text: string | Buffer, ms?: number): Promise<any>;
  close(): void;
  readonly closed: boolean;
}

export const rpcClient = async (s: TestServer, path = '/api/current'): Promise<RpcClient | null> => {
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(`${s.wsUrl}${path}`);
  const opened = await new Promise<boolean>((resolve) => {
    ws.once('open', () => resolve(true));
    ws.once('unexpected-response', () => resolve(false));
    ws.once('error', () => resolve(false));
  });
  if (!opened) {
    ws.terminate();
    return null;
  }
  let closed = false;
  ws.on('close', () => (closed = true));
  ws.on('error', () => (closed = true));
  let id = 0;
  const waiting = new Map<number, (v: any) => void>();
  const anyWaiters: ((v: any) => void)[] = [];
  ws.on('message', (data) => {
    let msg: any;
    try {
      msg = JSON.parse(String(data));
    } catch {
      msg = { unparsable: String(data) };
    }
    const w = typeof msg?.id === 'number' ? waiting.get(msg.id) : undefined;
    if (w) {
      waiting.delete(msg.id);
      w(msg);
    } else anyWaiters.shift()?.(msg);
  });
  ws.on('close', () => {
    for (const w of waiting.values()) w(null);
    waiting.clear();
    for (const w of anyWaiters.splice(0)) w(null);
  });
  return {
    get closed() {
      return closed;
    },
    call: (method, params = []) =>
      new Promise((resolve) => {
        if (closed) return resolve(null);
        const n = ++id;
        waiting.set(n, resolve);
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: n, method, params }));
      }),
    raw: (text, ms = 2000) =>
      new Promise((resolve) => {
        if (closed) return resolve(null);
        const timer = setTimeout(() => {
          const i = anyWaiters.indexOf(done);
          if (i >= 0) anyWaiters.splice(i, 1);
          resolve(null);
        }, ms);
        const done = (v: any) => {
          clearTimeout(timer);
          resolve(v);
        };
        anyWaiters.push(done);
        ws.send(text);
      }),
    close: () => ws.terminate(),
  };
};
