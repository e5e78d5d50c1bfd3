import type { RawData, WebSocket } from 'ws';
import type { EventMeta } from '../../../core/event.js';
import type { AppContext } from '../app-context.js';
import { authMethods } from './auth-methods.js';
import { CallBudget } from './call-budget.js';
import { type Frame, type RpcId, parseFrame } from './parse-frame.js';
import { RpcError } from './rpc-error.js';
import { rpcErrorOf } from './rpc-error-of.js';
import type { SocketSession } from './socket-session.js';

/** middlewared's hard limit of calls in flight per connection (SoftHardSemaphore(10, 20)); beyond it, -32000. */
const maxInFlight = 20;

/** RFC 6455 §7.4.1 close codes used here. */
const unsupportedData = 1003;
const policyViolation = 1008;

const text = (data: RawData): string =>
  Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');

/**
 * One JSON-RPC connection. Calls run one after another in arrival order, so a login and its continuation
 * never race over the connection's state; every failure is answered as a JSON-RPC error (or closes the
 * connection when the client is past its budget), never thrown out of here.
 */
export class TruenasConnection {
  private readonly ws: WebSocket;
  private readonly app: AppContext;
  private readonly meta: () => EventMeta;
  private readonly session: SocketSession;
  private readonly budget = new CallBudget();
  private tail: Promise<void> = Promise.resolve();
  private inFlight = 0;

  constructor(ws: WebSocket, app: AppContext, meta: () => EventMeta) {
    this.ws = ws;
    this.app = app;
    this.meta = meta;
    this.session = { app, accessToken: null, pending: null };
  }

  receive(data: RawData, isBinary: boolean): void {
    // middlewared closes on a binary frame (WSCloseCode.UNSUPPORTED_DATA).
    if (isBinary) return this.ws.close(unsupportedData, 'Binary frames are not supported');
    const frame = parseFrame(text(data));
    if (this.session.accessToken === null) {
      const verdict = this.budget.take(this.app.latchkey.now());
      if (verdict === 'exhausted') return this.ws.close(policyViolation, 'Rate Limit Exceeded');
      if (verdict === 'refused') return this.answer(frame, RpcError.callError('EBUSY', 'Rate Limit Exceeded'));
    }
    if (frame.kind === 'invalid') return this.reply(null, { error: frame.error });
    if (this.inFlight >= maxInFlight) return this.answer(frame, RpcError.tooManyConcurrentCalls(maxInFlight));
    this.inFlight += 1;
    this.tail = this.tail
      .then(() => this.run(frame))
      .catch((err: unknown) => this.app.logger.error({ err: { message: (err as Error)?.message } }, 'truenas call failed'))
      .finally(() => {
        this.inFlight -= 1;
      });
  }

  /**
   * On close, the connection's session is logged out, as middlewared does when a client goes away (its token
   * was never shown to anyone). Not while the server shuts down: the engine is closing, and the session expires.
   */
  async closed(revoke: () => boolean): Promise<void> {
    await this.tail;
    const token = this.session.accessToken;
    this.session.accessToken = null;
    this.session.pending = null;
    if (token === null || !revoke()) return;
    try {
      await this.app.latchkey.logout(token, this.meta());
    } catch (err) {
      this.app.logger.warn({ err: { message: (err as Error)?.message } }, 'truenas logout on close failed');
    }
  }

  private async run(frame: Extract<Frame, { kind: 'call' }>): Promise<void> {
    const meta = this.meta();
    const started = performance.now();
    const method = authMethods.get(frame.method);
    let outcome: { result: unknown } | { error: RpcError };
    try {
      if (method === undefined) throw RpcError.methodNotFound();
      outcome = { result: await method(this.session, frame.params, meta) };
    } catch (err) {
      const known = rpcErrorOf(err);
      if (known === null) {
        this.app.logger.error({ requestId: meta.requestId, err: { message: (err as Error)?.message, stack: (err as Error)?.stack } }, 'unhandled error');
      }
      outcome = { error: known ?? RpcError.internal() };
    }
    const ms = Math.round((performance.now() - started) * 10) / 10;
    // The method name is logged only when it is one of ours: anything else is client input.
    const code = 'error' in outcome ? outcome.error.code : 0;
    this.app.logger.info({ requestId: meta.requestId, rpc: method === undefined ? '(unknown)' : frame.method, code, ms }, 'truenas call');
    if (!frame.notification) this.reply(frame.id, outcome);
  }

  private answer(frame: Frame, error: RpcError): void {
    if (frame.kind === 'invalid') return this.reply(null, { error: frame.error });
    if (!frame.notification) this.reply(frame.id, { error });
  }

  /** middlewared's envelope: `{jsonrpc, result | error, id}`. */
  private reply(id: RpcId, outcome: { result: unknown } | { error: RpcError }): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const message = 'error' in outcome ? { jsonrpc: '2.0', error: outcome.error.toJSON(), id } : { jsonrpc: '2.0', result: outcome.result, id };
    this.ws.send(JSON.stringify(message), (err) => {
      if (err) this.app.logger.warn({ err: { message: err.message } }, 'truenas send failed');
    });
  }
}
