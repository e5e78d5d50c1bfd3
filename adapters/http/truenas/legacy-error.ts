import { type RpcError, errnos } from './rpc-error.js';

/** The `error` of a legacy `result` frame (middlewared WebSocketApplication.get_error_dict); never a trace here. */
export interface LegacyError {
  readonly error: number;
  readonly errname: string;
  readonly type: 'VALIDATION' | null;
  readonly reason: string;
  readonly trace: null;
  readonly extra: unknown;
}

const plain = (errname: keyof typeof errnos, reason: string, extra: unknown = null): LegacyError => ({
  error: errnos[errname],
  errname,
  type: null,
  reason,
  trace: null,
  extra,
});

/** A frame the legacy protocol cannot run (docs/dialects/truenas.md "The legacy protocol"). */
export const malformedError = (reason: string): LegacyError => plain('EINVAL', reason);

/** middlewared's ServiceCallMixin.get_method: no dot → EBADMSG; otherwise ENOMETHOD naming the method and service. */
const unknownMethod = (method: string): LegacyError => {
  const dot = method.lastIndexOf('.');
  if (dot < 0) return plain('EBADMSG', '[EBADMSG] Invalid method name');
  return plain('ENOMETHOD', `[ENOMETHOD] Method '${method.slice(dot + 1)}' not found in '${method.slice(0, dot)}'`);
};

/**
 * The one table from the shared RpcError to the legacy error, as middlewared's legacy handler renders the same
 * exceptions: a CallError keeps its errno and reason; validation errors are EAGAIN with type VALIDATION and the
 * same `extra` list; too many calls in flight is ETOOMANYREFS; anything unexpected EINVAL with a fixed reason.
 */
export const legacyError = (err: RpcError, method: string): LegacyError => {
  switch (err.code) {
    case -32001:
      return err.data === undefined ? plain('EINVAL', 'Method call error') : { ...plain('EINVAL', err.data.reason, err.data.extra), error: err.data.error, errname: err.data.errname };
    case -32602:
      return { ...plain('EAGAIN', err.data?.reason ?? 'Invalid params', err.data?.extra ?? null), type: 'VALIDATION' };
    case -32601:
      return unknownMethod(method);
    case -32000:
      return plain('ETOOMANYREFS', `${err.message}.`);
    case -32700:
    case -32600:
    case -32603:
      return plain('EINVAL', 'Internal error');
    default: {
      const _exhaustive: never = err.code;
      return _exhaustive;
    }
  }
};
