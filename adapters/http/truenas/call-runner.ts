import type { EventMeta } from '../../../core/event.js';
import type { AppContext } from '../app-context.js';
import { type BudgetVerdict, CallBudget } from './call-budget.js';
import { methods } from './methods.js';
import { RpcError } from './rpc-error.js';
import { rpcErrorOf } from './rpc-error-of.js';
import { isDomainError } from '../../../core/errors.js';
import { type SocketSession, newSocketSession } from './socket-session.js';

/** middlewared's hard limit of calls in flight per connection (SoftHardSemaphore(10, 20)); beyond it, -32000. */
export const maxInFlight = 20;

export type Outcome = { readonly result: unknown } | { readonly error: RpcError };

/**
 * What both endpoints share for one connection, whatever its framing: the session, the anonymous-call budget, the
 * cap on calls in flight, and the method table. Calls run one after another in arrival order, so a login and its
 * continuation never race over the connection's state. A method's failure becomes an RpcError (unknown ones
 * logged with the request id, without their message reaching the client); nothing is thrown out of here.
 */
export class CallRunner {
  private readonly app: AppContext;
  private readonly meta: () => EventMeta;
  private readonly session: SocketSession;
  private readonly budget = new CallBudget();
  private tail: Promise<void> = Promise.resolve();
  private inFlight = 0;

  constructor(app: AppContext, meta: () => EventMeta) {
    this.app = app;
    this.meta = meta;
    this.session = newSocketSession(app);
  }

  /** The cooldown applies while the connection is not logged in (docs/dialects/truenas.md). */
  admit(): BudgetVerdict {
    return this.session.accessToken === null ? this.budget.take(this.app.latchkey.now()) : 'admitted';
  }

  /** Queues a call; `answer` gets its outcome once it ran (at once when too many calls are in flight). */
  call(name: string, params: readonly unknown[], answer: (outcome: Outcome) => void): void {
    if (this.inFlight >= maxInFlight) return answer({ error: RpcError.tooManyConcurrentCalls(maxInFlight) });
    this.inFlight += 1;
    this.tail = this.tail
      .then(async () => answer(await this.run(name, params)))
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

  private async run(name: string, params: readonly unknown[]): Promise<Outcome> {
    const meta = this.meta();
    const started = performance.now();
    const method = methods.get(name);
    let outcome: Outcome;
    try {
      if (method === undefined) throw RpcError.methodNotFound();
      outcome = { result: await method(this.session, params, meta) };
    } catch (err) {
      const known = rpcErrorOf(err);
      if (isDomainError(err)) this.app.metrics.countRefusal(err.code, 'truenas');
      if (known === null) {
        this.app.logger.error({ requestId: meta.requestId, err: { message: (err as Error)?.message, stack: (err as Error)?.stack } }, 'unhandled error');
      }
      outcome = { error: known ?? RpcError.internal() };
    }
    const ms = Math.round((performance.now() - started) * 10) / 10;
    // The method name is logged only when it is one of ours: anything else is client input. Params never are.
    const code = 'error' in outcome ? outcome.error.code : 0;
    this.app.logger.info({ requestId: meta.requestId, rpc: method === undefined ? '(unknown)' : name, code, ms }, 'truenas call');
    return outcome;
  }
}
