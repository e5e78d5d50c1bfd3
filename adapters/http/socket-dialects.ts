import type { Server } from 'node:http';
import type { AppContext } from './app-context.js';
import { truenasSocket } from './truenas/truenas-socket.js';

/** Dialects that speak over a WebSocket on the same HTTP server (TrueNAS); returns a function that closes them. */
export type SocketDialect = (server: Server, app: AppContext) => () => void;

export const socketDialects: readonly SocketDialect[] = [
  truenasSocket,
];

export const attachSocketDialects = (server: Server, app: AppContext): (() => void) => {
  const closers = socketDialects.map((attach) => attach(server, app));
  return () => closers.forEach((close) => close());
};
