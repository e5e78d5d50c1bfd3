import { RpcError } from './rpc-error.js';

export type RpcId = string | number | null;

export type Frame =
  | {
      readonly kind: 'call';
      readonly id: RpcId;
      /** JSON-RPC 2.0 §4.1: a request without an `id` member is a notification and gets no answer. */
      readonly notification: boolean;
      readonly method: string;
      readonly params: readonly unknown[];
    }
  | { readonly kind: 'invalid'; readonly error: RpcError };

const members = new Set(['jsonrpc', 'method', 'params', 'id']);

/**
 * One text frame → a call, or the error to answer with `id: null` (JSON-RPC 2.0 §5.1). The request shape is
 * middlewared's REQUEST_SCHEMA: an object with exactly `jsonrpc: "2.0"`, a string `method`, an optional array
 * `params` and an optional `id` (string, number or null). Not JSON → -32700; JSON that is not such an object
 * → -32600. Batches (arrays) are refused with -32600, as middlewared refuses them ("not supported yet").
 */
export const parseFrame = (text: string): Frame => {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { kind: 'invalid', error: RpcError.parse() };
  }
  if (Array.isArray(message)) return { kind: 'invalid', error: RpcError.invalidRequest('Batch messages are not supported') };
  if (message === null || typeof message !== 'object') return { kind: 'invalid', error: RpcError.invalidRequest() };
  const m = message as Record<string, unknown>;
  const has = (k: string) => Object.hasOwn(m, k);
  const id = has('id') ? m.id : null;
  const validId = id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
  if (
    Object.keys(m).some((k) => !members.has(k)) ||
    m.jsonrpc !== '2.0' ||
    typeof m.method !== 'string' ||
    (has('params') && !Array.isArray(m.params)) ||
    !validId
  ) {
    return { kind: 'invalid', error: RpcError.invalidRequest() };
  }
  return { kind: 'call', id: id as RpcId, notification: !has('id'), method: m.method, params: has('params') ? (m.params as unknown[]) : [] };
};
