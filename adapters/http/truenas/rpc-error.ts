/**
 * JSON-RPC 2.0 error codes, and the two TrueNAS adds in the server-error range
 * (truenas_api_client.jsonrpc.JSONRPCError: TOO_MANY_CONCURRENT_CALLS -32000, CALL_ERROR -32001).
 */
export type RpcCode = -32700 | -32600 | -32601 | -32602 | -32603 | -32000 | -32001;

/**
 * errno values TrueNAS reports in `data.error`: Linux errno, plus its own (truenas_api_client.exc.ErrnoMixin:
 * ENOMETHOD = 201, ENOTAUTHENTICATED = 207).
 */
export const errnos = { EAGAIN: 11, EACCES: 13, EFAULT: 14, EBUSY: 16, EINVAL: 22, EBADMSG: 74, ETOOMANYREFS: 109, ENOMETHOD: 201, ENOTAUTHENTICATED: 207 } as const;
export type Errname = keyof typeof errnos;

/**
 * TrueNAS' `data` of an error (middlewared format_truenas_error): errno, its name, `reason` as
 * `str(CallError)` ("[ERRNAME] message"), never a trace here (no stack reaches the client), and `extra`.
 */
export interface TruenasErrorData {
  readonly error: number;
  readonly errname: Errname;
  readonly reason: string;
  readonly trace: null;
  readonly extra: unknown;
}

/** A JSON-RPC error to send as is. Its message and data are fixed strings: never user input, never a secret. */
export class RpcError extends Error {
  readonly code: RpcCode;
  readonly data?: TruenasErrorData;

  constructor(code: RpcCode, message: string, data?: TruenasErrorData) {
    super(message);
    this.code = code;
    this.data = data;
  }

  toJSON(): { code: RpcCode; message: string; data?: TruenasErrorData } {
    return this.data === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, data: this.data };
  }

  static parse(): RpcError {
    return new RpcError(-32700, 'Parse error');
  }

  static invalidRequest(message = 'Invalid Request'): RpcError {
    return new RpcError(-32600, message);
  }

  /** middlewared's own wording for -32601. */
  static methodNotFound(): RpcError {
    return new RpcError(-32601, 'Method does not exist');
  }

  /** middlewared send_truenas_validation_error: -32602 "Invalid params", EINVAL, `extra` = [[attribute, message, errno]]. */
  static invalidParams(errors: readonly (readonly [attribute: string, message: string])[]): RpcError {
    const reason = errors.map(([attribute, message]) => `[EINVAL] ${attribute}: ${message}\n`).join('');
    const extra = errors.map(([attribute, message]) => [attribute, message, errnos.EINVAL]);
    return new RpcError(-32602, 'Invalid params', { error: errnos.EINVAL, errname: 'EINVAL', reason, trace: null, extra });
  }

  /** middlewared's CallError: -32001 "Method call error" with the errno in `data`. */
  static callError(errname: Errname, message: string, extra: unknown = null): RpcError {
    return new RpcError(-32001, 'Method call error', { error: errnos[errname], errname, reason: `[${errname}] ${message}`, trace: null, extra });
  }

  static tooManyConcurrentCalls(limit: number): RpcError {
    return new RpcError(-32000, `Maximum number of concurrent calls (${limit}) has exceeded`);
  }

  static internal(): RpcError {
    return new RpcError(-32603, 'Internal error');
  }
}
