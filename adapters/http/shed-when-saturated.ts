import type { Middleware } from 'koa';
import { DomainError } from '../../core/errors.js';
import type { AppContext } from './app-context.js';

/**
 * A password step that the argon2 queue would shed anyway is refused before its body is read or parsed, before the
 * throttles and before any lookup: a shed answer is the cheapest the server gives (503 + Retry-After in the
 * dialect's shape, from its failure renderer), and under a burst most answers are shed ones. The engine checks
 * again (core/app/login.ts) for callers that do not come through HTTP.
 */
export const shedWhenSaturated =
  (app: AppContext): Middleware =>
  async (_ctx, next) => {
    if (app.latchkey.saturated()) throw new DomainError('overloaded', 'the server is busy', 1);
    await next();
  };
