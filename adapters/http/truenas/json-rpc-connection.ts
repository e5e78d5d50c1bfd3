import type { RawData, WebSocket } from 'ws';
import type { EventMeta } from '../../../core/event.js';
import type { AppContext } from '../app-context.js';
import { CallRunner, type Outcome } from './call-runner.js';
import { type RpcId, parseJsonRpcFrame } from './parse-json-rpc-frame.js';
import { RpcError } from './rpc-error.js';
import { frameText } from './frame-text.js';

/** RFC 6455 §7.4.1 close codes used here. */
const unsupportedData = 1003;
const policyViolation = 1008;

/**
 * One JSON-RPC 2.0 connection at /api/current: middlewared's framing over the shared CallRunner. Every failure is
 * answered as a JSON-RPC error (or closes the connection when the client is past its budget), never thrown out
 * of here, and the connection stays open after a malformed frame.
 */
export class JsonRpcConnection {
  private readonly ws: WebSocket;
  private readonly app: AppContext;
  private readonly runner: CallRunner;

  constructor(ws: WebSocket, app: AppContext, meta: () => EventMeta) {
    this.ws = ws;
    this.app = app;
    this.runner = new CallRunner(app, meta);
  }

  receive(data: RawData, isBinary: boolean): void {
    // middlewared closes on a binary frame (WSCloseCode.UNSUPPORTED_DATA).
    if (isBinary) return this.ws.close(unsupportedData, 'Binary frames are not supported');
    const frame = parseJsonRpcFrame(frameText(data));
    const verdict = this.runner.admit();
    if (verdict === 'exhausted') return this.ws.close(policyViolation, 'Rate Limit Exceeded');
    if (frame.kind === 'invalid') return this.reply(frame.id, { error: frame.error });
    if (verdict === 'refused') return frame.notification ? undefined : this.reply(frame.id, { error: RpcError.callError('EBUSY', 'Rate Limit Exceeded') });
    this.runner.call(frame.method, frame.params, (outcome) => {
      if (!frame.notification) this.reply(frame.id, outcome);
    });
  }

  closed(revoke: () => boolean): Promise<void> {
    return this.runner.closed(revoke);
  }

  /** middlewared's envelope: `{jsonrpc, result | error, id}`, the id exactly as it came. */
  private reply(id: RpcId, outcome: Outcome): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const message = 'error' in outcome ? { jsonrpc: '2.0', error: outcome.error.toJSON(), id } : { jsonrpc: '2.0', result: outcome.result, id };
    this.ws.send(JSON.stringify(message), (err) => {
      if (err) this.app.logger.warn({ err: { message: err.message } }, 'truenas send failed');
    });
  }
}
