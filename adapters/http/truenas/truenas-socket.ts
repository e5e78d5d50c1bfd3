import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { EventMeta } from '../../../core/event.js';
import type { AppContext } from '../app-context.js';
import { bodyLimitBytes } from '../parse-body.js';
import { JsonRpcConnection } from './json-rpc-connection.js';
import { LegacyConnection } from './legacy-connection.js';
import { socketMeta } from './socket-meta.js';

/** What each framing offers the socket. */
interface SocketConnection {
  receive(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void;
  closed(revoke: () => boolean): Promise<void>;
}

/**
 * One framing per path, as middlewared serves them: JSON-RPC 2.0 at `/api/current`, the legacy (DDP-style)
 * protocol at `/websocket` (truenas_api_client picks its LegacyClient for a URI ending in `/websocket`).
 */
const framings = new Map<string, new (ws: WebSocket, app: AppContext, meta: () => EventMeta) => SocketConnection>([
  ['/api/current', JsonRpcConnection],
  ['/websocket', LegacyConnection],
]);

const pathOf = (url: string | undefined): string | null => {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
};

const refuse = (socket: Duplex, status: string): void => {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
};

/**
 * The TrueNAS middleware dialect (docs/dialects/truenas.md): WebSockets on the HTTP server's port. Frames over
 * the API's 16 KiB body limit close the connection with 1009 (ws maxPayload); compression is off, so a frame's
 * size on the wire is its size in memory. Listed in ../socket-dialects.ts; returns a function that closes it.
 */
export const truenasSocket = (server: Server, app: AppContext): (() => void) => {
  const wss = new WebSocketServer({ noServer: true, maxPayload: bodyLimitBytes, perMessageDeflate: false });
  let open = true;
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A reset during the handshake must not become an unhandled 'error' event (a crash).
    socket.on('error', () => socket.destroy());
    const path = pathOf(req.url);
    const Connection = path === null ? undefined : framings.get(path);
    if (Connection === undefined) {
      // Another socket dialect may own this path; with none, nobody else would ever answer it.
      if (server.listenerCount('upgrade') === 1) refuse(socket, '404 Not Found');
      return;
    }
    const meta = socketMeta(req, app);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new Connection(ws, app, meta);
      ws.on('error', (err) => app.logger.info({ err: { message: err.message } }, 'truenas socket error'));
      ws.on('message', (data, isBinary) => connection.receive(data, isBinary));
      ws.on('close', () => void connection.closed(() => open));
    });
  };
  server.on('upgrade', onUpgrade);
  return () => {
    open = false;
    server.off('upgrade', onUpgrade);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
};
