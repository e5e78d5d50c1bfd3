import { type Test, suite } from 'uvu';
import { type TestServer, type TestServerOptions, startTestServer } from './test-server.js';

export interface ServerSuiteOptions<Extra> {
  /** Options of the test server (environment, clock, data dir). */
  readonly server?: TestServerOptions;
  /** A fresh server for every test instead of one for the whole suite. */
  readonly each?: boolean;
  /** What every test of the suite shares besides the server (users, counters), made once the server is up. */
  readonly setUp?: (s: TestServer) => Promise<Extra> | Extra;
}

/**
 * A uvu suite over a real test server (test-server.ts): started before the first test and closed after the last,
 * or around every test with `each`. Its tests get the server as `s`, and whatever `setUp` returned.
 */
export const serverSuite = <Extra extends object = Record<never, never>>(name: string, opts: ServerSuiteOptions<Extra> = {}): Test<{ s: TestServer } & Extra> => {
  const t = suite<{ s: TestServer } & Extra>(name);
  const start = async (ctx: { s: TestServer } & Extra): Promise<void> => {
    ctx.s = await startTestServer(opts.server);
    if (opts.setUp) Object.assign(ctx, await opts.setUp(ctx.s));
  };
  const stop = async (ctx: { s: TestServer } & Extra): Promise<void> => {
    // A failed start leaves no server to close; uvu reports the start's own error.
    await (ctx.s as TestServer | undefined)?.close();
  };
  if (opts.each) {
    t.before.each(start);
    t.after.each(stop);
  } else {
    t.before(start);
    t.after(stop);
  }
  return t;
};
