import type { EventMeta } from '../../../core/event.js';
import type { AppContext } from '../app-context.js';

/** The per-connection options of core.set_options, with middlewared's defaults (App: legacy_jobs true, the rest false). */
export interface ConnectionOptions {
  legacy_jobs: boolean;
  private_methods: boolean;
  py_exceptions: boolean;
}

/**
 * What one WebSocket connection knows about its login (docs/dialects/truenas.md: the pending OTP state lives on the connection,
 * so step two cannot switch users, and another connection cannot continue it). Both tokens are the engine's and
 * stay on the server: the client never sees them, and gets a token only from `auth.generate_token`.
 */
export interface SocketSession {
  readonly app: AppContext;
  /** The full access token this connection is logged in with, or null. */
  accessToken: string | null;
  /** The one login flow waiting for its OTP (a new `auth.login_ex` replaces it), or null. */
  pending: { readonly mfaToken: string; readonly username: string } | null;
  readonly options: ConnectionOptions;
  /** core.subscribe idents → event names (no event is ever sent: the engine has no jobs). */
  readonly subscriptions: Map<string, string>;
}

export const newSocketSession = (app: AppContext): SocketSession => ({
  app,
  accessToken: null,
  pending: null,
  options: { legacy_jobs: true, private_methods: false, py_exceptions: false },
  subscriptions: new Map(),
});

/** A method of the dialect: positional params as received (already an array), the call's event metadata. */
export type RpcMethod = (session: SocketSession, params: readonly unknown[], meta: EventMeta) => Promise<unknown>;
