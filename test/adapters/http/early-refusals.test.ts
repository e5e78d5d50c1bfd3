import { Agent, type IncomingHttpHeaders, type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EarlyRefusals } from '../../../adapters/http/early-refusals.js';
import type { Dialect } from '../../../core/event.js';

/**
 * adapters/http/early-refusals.ts (docs/security.md §37) in front of a small koa app that answers POST /refuse with a
 * 429 (Retry-After 10) and POST /busy with a 503 (Retry-After 1), as the dialects' catchFailures do, and counts what
 * reaches it. Addresses are loopback addresses the requests are sent from.
 */
const test = suite('early refusals');

interface Rig {
  readonly url: string;
  readonly reached: () => number;
  readonly refused: { ip: string; dialect: Dialect }[];
  readonly clock: { t: number };
  close(): Promise<void>;
}

const rig = async (options: { answersPerSecond?: number; maxHoldMs?: number; maxAddresses?: number } = {}): Promise<Rig> => {
  const clock = { t: 1_000_000 };
  const refused: { ip: string; dialect: Dialect }[] = [];
  const early = new EarlyRefusals({ now: () => clock.t, trustedProxies: new Set(), refused: (ip, dialect) => refused.push({ ip, dialect }), ...options });
  let reached = 0;
  const koa = new Koa();
  koa.use(async (ctx, next) => {
    await next();
    early.note(ctx);
  });
  koa.use((ctx) => {
    reached++;
    ctx.state.client = { ip: ctx.socket.remoteAddress, header: 'x-forwarded-for', dialect: 'oracle' };
    const busy = ctx.path === '/busy';
    ctx.status = busy ? 503 : 429;
    ctx.set('Retry-After', busy ? '1' : '10');
    ctx.set('X-Request-Id', String(reached));
    ctx.body = { errorCode: busy ? 'busy' : 'throttled', reached };
  });
  const server: Server = createServer(early.handler(koa.callback()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reached: () => reached,
    refused,
    clock,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
};

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: any;
  readonly ms: number;
}

/** One request on a keep-alive connection of its own (so that a `Connection: close` answer is the server's choice). */
const post = (url: string, path: string, localAddress = '127.0.0.1'): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const agent = new Agent({ keepAlive: true });
    const req = request(`${url}${path}`, { method: 'POST', localAddress, agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        agent.destroy();
        resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text), ms: performance.now() - started });
      });
    });
    req.on('error', reject);
    req.end('{}');
  });

test('after the application’s 429, the same line from the same address is answered early, the same body, the remaining Retry-After', async () => {
  const r = await rig();
  try {
    const first = await post(r.url, '/refuse');
    assert.equal([first.status, first.headers['retry-after'], first.body], [429, '10', { errorCode: 'throttled', reached: 1 }]);
    r.clock.t += 3_500;
    const early = await post(r.url, '/refuse');
    assert.equal([early.status, early.headers['retry-after'], early.body], [429, '7', { errorCode: 'throttled', reached: 1 }], 'the recorded body, 6.5 s left → 7');
    assert.is(early.headers['content-type'], first.headers['content-type']);
    assert.ok(early.headers['x-request-id'] !== first.headers['x-request-id'], 'a request id of its own');
    assert.is(r.reached(), 1, 'koa did not run');
    assert.equal(r.refused, [{ ip: '127.0.0.1', dialect: 'oracle' }], 'counted for the throttle’s record');
    assert.is((await post(r.url, '/other')).body.reached, 2, 'another line goes to the application');
    assert.is((await post(r.url, '/refuse', '127.0.0.2')).body.reached, 3, 'another address goes to the application');
    r.clock.t += 6_500;
    assert.is((await post(r.url, '/refuse')).body.reached, 4, 'once the Retry-After has passed, the application answers again');
  } finally {
    await r.close();
  }
});

test('an address gets its early answers at the paced rate; one that would wait too long is answered at once, closing', async () => {
  const r = await rig({ answersPerSecond: 4, maxHoldMs: 600 });
  try {
    await post(r.url, '/refuse');
    // A burst of 4 goes at once, then one every 250 ms: the 7th would wait 750 ms > 600.
    const answers = await Promise.all(Array.from({ length: 7 }, () => post(r.url, '/refuse')));
    const held = answers.filter((a) => a.headers.connection !== 'close');
    const closed = answers.filter((a) => a.headers.connection === 'close');
    assert.is(r.reached(), 1);
    assert.ok(answers.every((a) => a.status === 429));
    assert.ok(closed.length >= 1, 'the last answered at once with Connection: close');
    const slow = held.filter((a) => a.ms >= 200).length;
    assert.ok(slow >= 2, `two were held for their turn (${held.map((a) => a.ms.toFixed(0)).join(', ')} ms)`);
  } finally {
    await r.close();
  }
});

test('a 503 is not replayed: the address is paced, and the application answers afresh', async () => {
  const r = await rig({ answersPerSecond: 4, maxHoldMs: 5_000 });
  try {
    await post(r.url, '/busy');
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(r.url, '/busy')));
    assert.is(r.reached(), 7, 'every request reached the application');
    assert.ok(answers.some((a) => a.ms >= 200), 'past the burst they were held for their turn');
    assert.is(r.refused.length, 0, 'a busy answer is not a throttle refusal');
  } finally {
    await r.close();
  }
});

test('bounded: past maxAddresses the oldest address is forgotten (and goes to the application again)', async () => {
  const r = await rig({ maxAddresses: 2 });
  try {
    for (const a of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) await post(r.url, '/refuse', a);
    assert.is(r.reached(), 3);
    await post(r.url, '/refuse', '127.0.0.4');
    await post(r.url, '/refuse', '127.0.0.3');
    assert.is(r.reached(), 3, 'the two newest are refused early');
    await post(r.url, '/refuse', '127.0.0.2');
    assert.is(r.reached(), 4, 'the oldest was dropped');
  } finally {
    await r.close();
  }
});

test.run();
