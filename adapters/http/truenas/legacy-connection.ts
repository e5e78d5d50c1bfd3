import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import type { EventMeta } from '../../../core/event.js';
import type { AppContext } from '../app-context.js';
import { CallRunner } from './call-runner.js';
import { frameText } from './frame-text.js';
import { type LegacyError, legacyError, malformedError } from './legacy-error.js';
import { parseLegacyFrame } from './parse-legacy-frame.js';
import type { RpcId } from './parse-json-rpc-frame.js';
import { RpcError } from './rpc-error.js';

/** RFC 6455 §7.4.1 close codes used here. */
const unsupportedData = 1003;
const policyViolation = 1008;

/** The one protocol version middlewared's legacy handler speaks. */
const version = '1';

/**
 * One connection at /websocket in middlewared's legacy (DDP-style) protocol, over the same CallRunner (session,
 * budget, methods) as /api/current: `connect` → `connected {session}` (or `failed {version: "1"}`), then
 * `method` → `result {id, result}` or `result {id, error}`, and `ping` → `pong`. Anything before a successful
 * connect is answered `failed`, as middlewared does. Nothing is thrown out of here.
 */
export class LegacyConnection {
  private readonly ws: WebSocket;
  private readonly app: AppContext;
  private readonly runner: CallRunner;
  /** middlewared's App.session_id: a random UUID per connection. It names nothing and grants nothing. */
  private readonly session = randomUUID();
  private handshake = false;

  constructor(ws: WebSocket, app: AppContext, meta: () => EventMeta) {
    this.ws = ws;
    this.app = app;
    this.runner = new CallRunner(app, meta);
  }

  receive(data: RawData, isBinary: boolean): void {
    if (isBinary) return this.ws.close(unsupportedData, 'Binary frames are not supported');
    const frame = parseLegacyFrame(frameText(data));
    const verdict = this.runner.admit();
    if (verdict === 'exhausted') return this.ws.close(policyViolation, 'Rate Limit Exceeded');
    if (frame.kind === 'malformed') return this.error(frame.id, malformedError(frame.reason));
    if (frame.kind === 'connect') {
      if (frame.version !== version) return this.send({ msg: 'failed', version });
      this.handshake = true;
      return this.send({ msg: 'connected', session: this.session });
    }
    if (!this.handshake) return this.send({ msg: 'failed', version });
    switch (frame.kind) {
      case 'ping':
        return this.send(frame.id === undefined ? { msg: 'pong' } : { msg: 'pong', id: frame.id });
      case 'method': {
        if (verdict === 'refused') return this.error(frame.id, legacyError(RpcError.callError('EBUSY', 'Rate Limit Exceeded'), frame.method));
        const { id, method } = frame;
        return this.runner.call(method, frame.params, (outcome) =>
          'error' in outcome ? this.error(id, legacyError(outcome.error, method)) : this.send({ msg: 'result', id, result: outcome.result }),
        );
      }
      default: {
        const _exhaustive: never = frame;
        return _exhaustive;
      }
    }
  }

  closed(revoke: () => boolean): Promise<void> {
    return this.runner.closed(revoke);
  }

  private error(id: RpcId, error: LegacyError): void {
    this.send({ msg: 'result', id, error });
  }

  private send(message: object): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(message), (err) => {
      if (err) this.app.logger.warn({ err: { message: err.message } }, 'truenas send failed');
    });
  }
}
