import type { Context, Next } from 'koa';
import type { Dialect } from '../../core/event.js';
import type { AppContext } from './app-context.js';
import { type Failure, failureOf } from './failure.js';

export type RenderFailure = (ctx: Context, failure: Failure) => void;

/**
 * The one error-mapping middleware of a dialect (koa's err.expose, node-oidc-provider's err_out):
 * everything thrown below is rendered in the dialect's shape; unknown errors are logged with the
 * request id and answered with a generic 500. No stack trace ever reaches the client.
 */
export const catchFailures = (app: AppContext, render: RenderFailure, dialect: Dialect) => async (ctx: Context, next: Next) => {
  try {
    await next();
  } catch (err) {
    const failure = failureOf(err);
    if (failure.status >= 500 && failure.code === 'server_error') {
      app.logger.error({ requestId: ctx.state.requestId, err: { message: (err as Error)?.message, stack: (err as Error)?.stack } }, 'unhandled error');
    }
    app.metrics.countRefusal(failure.code, dialect);
    if (failure.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(failure.retryAfterSeconds));
    else if (failure.status === 503) ctx.set('Retry-After', '1');
    render(ctx, failure);
  }
};
