import type { EventMeta } from '../../../core/event.js';
import type { AppContext } from '../app-context.js';

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
}

/** A method of the dialect: positional params as received (already an array), the call's event metadata. */
export type RpcMethod = (session: SocketSession, params: readonly unknown[], meta: EventMeta) => Promise<unknown>;
