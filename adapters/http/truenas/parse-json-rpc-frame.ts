import { RpcError } from './rpc-error.js';

/** An id middlewared accepts (`None | int | str`; a Python bool is an int) that JSON.parse keeps exactly. */
export type RpcId = string | number | boolean | null;

export type Frame =
  | {
      readonly kind: 'call';
      readonly id: RpcId;
      /** JSON-RPC 2.0 §4.1: a request without an `id` member is a notification and gets no answer. */
      readonly notification: boolean;
      readonly method: string;
      readonly params: readonly unknown[];
    }
  | { readonly kind: 'invalid'; readonly id: RpcId; readonly error: RpcError };

const members = new Set(['jsonrpc', 'method', 'params', 'id']);

/**
 * The ids echoed as they came: strings (the product's client sends UUIDs), integers, booleans and null. A
 * fraction, or an integer past 2^53 that JSON.parse would round, could not be echoed exactly: it is refused.
 */
export const isRpcId = (v: unknown): v is RpcId =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isSafeInteger(v));

/**
 * One text frame → a call, or the error to answer with. The request shape is middlewared's validate_message: an
 * object with `jsonrpc: "2.0"`, a non-empty string `method`, an optional array `params` and an optional `id`;
 * here also nothing else. Not JSON → -32700; JSON that is not such an object → -32600, answered with the
 * request's id when it has a valid one, as middlewared answers, and `id: null` otherwise (JSON-RPC 2.0 §5.1).
 * Batches (arrays) are refused with -32600, as middlewared refuses them ("not supported at this time").
 */
export const parseJsonRpcFrame = (text: string): Frame => {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { kind: 'invalid', id: null, error: RpcError.parse() };
  }
  if (Array.isArray(message)) return { kind: 'invalid', id: null, error: RpcError.invalidRequest('Batch messages are not supported') };
  if (message === null || typeof message !== 'object') return { kind: 'invalid', id: null, error: RpcError.invalidRequest() };
  const m = message as Record<string, unknown>;
  const has = (k: string) => Object.hasOwn(m, k);
  const id = has('id') ? m.id : null;
  if (!isRpcId(id)) return { kind: 'invalid', id: null, error: RpcError.invalidRequest() };
  if (
    Object.keys(m).some((k) => !members.has(k)) ||
    m.jsonrpc !== '2.0' ||
    typeof m.method !== 'string' ||
    m.method === '' ||
    (has('params') && !Array.isArray(m.params))
  ) {
    return { kind: 'invalid', id, error: RpcError.invalidRequest() };
  }
  return { kind: 'call', id, notification: !has('id'), method: m.method, params: has('params') ? (m.params as unknown[]) : [] };
};
