import type { Latchkey } from '../../core/app/latchkey.js';
import type { EventMeta } from '../../core/event.js';
import type { Metrics } from './metrics.js';

type Step = 'password' | 'second_factor' | 'token' | 'api_key';

/**
 * The engine with its login steps timed for /metrics (`latchkey_login_step_seconds`), by the dialect the request
 * came through (its EventMeta) and a fixed step name: every dialect and transport (HTTP, TrueNAS's WebSocket) drives
 * these same calls, so one wrapper times them all. A step that fails (shed, throttled, storage) is timed too.
 */
export const timedLatchkey = (latchkey: Latchkey, metrics: Metrics): Latchkey => {
  const timed =
    <A extends unknown[], R>(step: Step, call: (...args: A) => Promise<R>, meta: (args: A) => EventMeta) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        return await call(...args);
      } finally {
        metrics.observeLoginStep(meta(args).dialect, step, (performance.now() - started) / 1000);
      }
    };
  return {
    ...latchkey,
    login: timed('password', latchkey.login, ([, meta]) => meta),
    continueLogin: timed('second_factor', latchkey.continueLogin, ([, meta]) => meta),
    loginWithToken: timed('token', latchkey.loginWithToken, ([, meta]) => meta),
    loginWithApiKey: timed('api_key', latchkey.loginWithApiKey, ([, meta]) => meta),
  };
};
