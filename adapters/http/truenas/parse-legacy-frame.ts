import { type RpcId, isRpcId } from './parse-json-rpc-frame.js';

export type LegacyFrame =
  | { readonly kind: 'connect'; readonly version: unknown }
  | { readonly kind: 'ping'; readonly id: RpcId | undefined }
  | { readonly kind: 'method'; readonly id: RpcId; readonly method: string; readonly params: readonly unknown[] }
  /** Anything else: answered with an EINVAL result (to the frame's id when it has a valid one). */
  | { readonly kind: 'malformed'; readonly id: RpcId; readonly reason: string };

const malformed = (id: RpcId, reason: string): LegacyFrame => ({ kind: 'malformed', id, reason });

/**
 * One text frame of middlewared's legacy (DDP-style) protocol → what it asks for. The shapes and wordings are
 * middlewared's (WebSocketApplication.on_message, call_method): `connect {version, support, features}`,
 * `method {id, method, params}` (absent or null params are `[]`), and `ping {id?}`. Where the product drops the
 * connection (JSON that does not parse, a frame that is not an object, a method frame without an id), the frame
 * is answered with an EINVAL result instead and the connection stays open.
 */
export const parseLegacyFrame = (text: string): LegacyFrame => {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return malformed(null, 'Invalid JSON');
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return malformed(null, 'Invalid Message Format');
  const m = message as Record<string, unknown>;
  const has = (k: string) => Object.hasOwn(m, k);
  const id = has('id') && isRpcId(m.id) ? m.id : null;
  switch (has('msg') ? m.msg : undefined) {
    case 'connect':
      return { kind: 'connect', version: m.version };
    case 'ping':
      // The pong carries the ping's id back, as middlewared 24.10 answered (25.04 dropped the handler).
      return { kind: 'ping', id: has('id') ? id : undefined };
    case 'method': {
      if (!has('id') || !isRpcId(m.id)) return malformed(null, "Message is malformed: 'id' is absent.");
      if (!has('method')) return malformed(id, "Message is malformed: 'method' is absent.");
      if (typeof m.method !== 'string') return malformed(id, "Message is malformed: 'method' must be a string.");
      const params = has('params') && m.params !== null ? m.params : [];
      if (!Array.isArray(params)) return malformed(id, '`params` must be a list.');
      return { kind: 'method', id, method: m.method, params };
    }
    default:
      return malformed(id, 'Message is malformed: unsupported `msg`.');
  }
};
