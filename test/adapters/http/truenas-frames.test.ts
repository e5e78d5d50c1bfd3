import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { type TestServer, createUser, startTestServer } from '../../helpers/test-server.js';

/** Raw frames on both endpoints: ids, the core.* methods' params, and malformed input in each protocol's own error shape. */
interface Raw {
  send(frame: string | Buffer): void;
  next(): Promise<{ msg: any; text: string }>;
  readonly closed: Promise<number>;
  close(): Promise<void>;
}

const open = (s: TestServer, path: string): Promise<Raw> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`${s.wsUrl}${path}`);
    const inbox: { msg: any; text: string }[] = [];
    const waiters: ((m: { msg: any; text: string }) => void)[] = [];
    ws.on('message', (data) => {
      const m = { msg: JSON.parse(String(data)), text: String(data) };
      const w = waiters.shift();
      if (w) w(m);
      else inbox.push(m);
    });
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('error', reject);
    ws.on('open', () =>
      resolve({
        send: (frame) => ws.send(frame),
        next: () => new Promise((r) => (inbox.length > 0 ? r(inbox.shift()!) : waiters.push(r))),
        closed,
        close: async () => {
          ws.close();
          await closed;
        },
      }),
    );
  });

const rpc = async (c: Raw, id: unknown, method: string, params?: unknown[]) => {
  c.send(JSON.stringify(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params }));
  return (await c.next()).msg;
};

const t = suite<{ s: TestServer }>('TrueNAS frames on /api/current and /websocket');
t.before(async (ctx) => {
  ctx.s = await startTestServer();
});
t.after(async (ctx) => ctx.s.close());

t('/api/current: ids of every type the product accepts come back exactly, byte for byte', async ({ s }) => {
  const c = await open(s, '/api/current');
  for (const id of ['0b7c2a47-6f1e-4c55-9d0a-3f6f1b2f9e11', '', 'ünïcødé', 0, -5, 9007199254740991, true, false, null]) {
    c.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'core.ping', params: [] }));
    const { msg, text } = await c.next();
    assert.equal(msg, { jsonrpc: '2.0', result: 'pong', id }, String(id));
    assert.ok(text.endsWith(`"id":${JSON.stringify(id)}}`));
  }
  await c.close();
});

t('core.set_options, core.subscribe, core.unsubscribe and core.ping check their params as the product does', async ({ s }) => {
  const c = await open(s, '/api/current');
  // Unknown options are ignored (CoreOptions: extra="ignore"); known ones must be booleans.
  assert.equal((await rpc(c, 1, 'core.set_options', [{ future_option: 1 }])).result, { legacy_jobs: true, private_methods: false, py_exceptions: false });
  assert.equal((await rpc(c, 2, 'core.set_options', [{ legacy_jobs: false }])).result, { legacy_jobs: false, private_methods: false, py_exceptions: false });
  for (const [params, attribute] of [
    [[], 'core.set_options.options'],
    [[{}, {}], 'core.set_options'],
    [['legacy_jobs'], 'core.set_options.options'],
    [[null], 'core.set_options.options'],
    [[{ legacy_jobs: 'false' }], 'core.set_options.options.legacy_jobs'],
    [[{ py_exceptions: 1 }], 'core.set_options.options.py_exceptions'],
  ] as const) {
    const r = await rpc(c, 'x', 'core.set_options', [...params]);
    assert.is(r.error.code, -32602, JSON.stringify(params));
    assert.is(r.error.data.errname, 'EINVAL');
    assert.is(r.error.data.extra[0][0], attribute, JSON.stringify(params));
  }
  assert.is((await rpc(c, 3, 'core.ping', [1])).error.code, -32602);
  assert.is((await rpc(c, 4, 'core.ping')).result, 'pong');
  assert.is((await rpc(c, 5, 'core.subscribe', [1])).error.code, -32602);
  assert.is((await rpc(c, 6, 'core.subscribe', [])).error.code, -32602);
  assert.is((await rpc(c, 7, 'core.unsubscribe', [])).error.code, -32602);
  assert.is((await rpc(c, 8, 'core.subscribe', ['core.get_jobs'])).error.data.errname, 'ENOTAUTHENTICATED');
  assert.is((await rpc(c, 9, 'core.unsubscribe', ['x'])).error.data.errname, 'ENOTAUTHENTICATED');
  const u = await createUser(s, { mfa: 'exempt', totp: false });
  assert.is((await rpc(c, 10, 'auth.login', [u.username, u.password])).result, true);
  const other = await rpc(c, 11, 'core.subscribe', ['pool.query']);
  assert.equal(other.error.data, { error: 13, errname: 'EACCES', reason: '[EACCES] Not authorized', trace: null, extra: null });
  assert.is(typeof (await rpc(c, 12, 'core.subscribe', ['core.get_jobs'])).result, 'string');
  for (const params of [[], [u.username], [u.username, 1], [1, u.password], [u.username, u.password, null, 'x']]) {
    assert.is((await rpc(c, 13, 'auth.login', params)).error.code, -32602, JSON.stringify(params.length));
  }
  await c.close();
});

t('/websocket: frames before connect are answered "failed"; ping without an id gets a pong without one', async ({ s }) => {
  const c = await open(s, '/websocket');
  c.send(JSON.stringify({ msg: 'method', id: 'a', method: 'core.ping', params: [] }));
  assert.equal((await c.next()).msg, { msg: 'failed', version: '1' });
  c.send(JSON.stringify({ msg: 'connect', version: '2', support: ['2'] }));
  assert.equal((await c.next()).msg, { msg: 'failed', version: '1' });
  c.send(JSON.stringify({ msg: 'connect', version: '1', support: ['1'], features: [] }));
  assert.is((await c.next()).msg.msg, 'connected');
  c.send('{"msg":"ping"}');
  assert.equal((await c.next()).msg, { msg: 'pong' });
  c.send('{"msg":"method","id":7,"method":"core.ping"}');
  assert.equal((await c.next()).msg, { msg: 'result', id: 7, result: 'pong' });
  await c.close();
});

t('/websocket: errors in the legacy shape {error, errname, type, reason, trace: null, extra}', async ({ s }) => {
  const c = await open(s, '/websocket');
  c.send(JSON.stringify({ msg: 'connect', version: '1', support: ['1'], features: [] }));
  await c.next();
  const call = async (method: string, params: unknown[]) => {
    c.send(JSON.stringify({ msg: 'method', id: 'id-1', method, params }));
    const { msg } = await c.next();
    assert.is(msg.msg, 'result');
    assert.is(msg.id, 'id-1');
    assert.is(msg.result, undefined);
    return msg.error;
  };
  assert.equal(await call('auth.nothing', []), { error: 201, errname: 'ENOMETHOD', type: null, reason: "[ENOMETHOD] Method 'nothing' not found in 'auth'", trace: null, extra: null });
  assert.equal(await call('nodot', []), { error: 74, errname: 'EBADMSG', type: null, reason: '[EBADMSG] Invalid method name', trace: null, extra: null });
  const invalid = await call('auth.login_ex', [{ mechanism: 'PASSWORD_PLAIN', username: 'a' }]);
  assert.equal(invalid, {
    error: 11,
    errname: 'EAGAIN',
    type: 'VALIDATION',
    reason: '[EINVAL] auth.login_ex.login_data.password: Field required\n',
    trace: null,
    extra: [['auth.login_ex.login_data.password', 'Field required', 22]],
  });
  assert.equal(await call('auth.login_ex_continue', [{ mechanism: 'OTP_TOKEN', otp_token: '123456' }]), {
    error: 22,
    errname: 'EINVAL',
    type: null,
    reason: '[EINVAL] OTP_TOKEN: no authentication attempt in progress',
    trace: null,
    extra: null,
  });
  await c.close();
});

t('malformed frames get each protocol’s error shape and the connection stays open; binary frames close with 1003', async ({ s }) => {
  const legacy = await open(s, '/websocket');
  legacy.send(JSON.stringify({ msg: 'connect', version: '1', support: ['1'], features: [] }));
  await legacy.next();
  for (const [frame, id] of [
    ['{"msg":"method","id":', null],
    ['[1,2]', null],
    ['"connect"', null],
    ['null', null],
    ['{"msg":"method","method":"core.ping"}', null],
    ['{"msg":"method","id":{"a":1},"method":"core.ping"}', null],
    ['{"msg":"method","id":"m1"}', 'm1'],
    ['{"msg":"method","id":"m2","method":42}', 'm2'],
    ['{"msg":"method","id":"m3","method":"core.ping","params":{"a":1}}', 'm3'],
    ['{"msg":"bogus","id":"m4"}', 'm4'],
    ['{"id":"m5"}', 'm5'],
  ] as const) {
    legacy.send(frame);
    const { msg } = await legacy.next();
    assert.is(msg.msg, 'result', frame);
    assert.is(msg.id, id, frame);
    assert.is(msg.error.error, 22, frame);
    assert.is(msg.error.errname, 'EINVAL', frame);
    assert.is(msg.error.trace, null, frame);
  }
  // Extra members are ignored, as middlewared ignores them; a `__proto__` member pollutes nothing.
  legacy.send('{"msg":"method","id":"m6","method":"auth.me","__proto__":{"polluted":true}}');
  assert.is((await legacy.next()).msg.error.errname, 'ENOTAUTHENTICATED');
  assert.is(({} as any).polluted, undefined);
  legacy.send('{"msg":"ping","id":"still-here"}');
  assert.equal((await legacy.next()).msg, { msg: 'pong', id: 'still-here' });
  legacy.send(Buffer.from('{"msg":"ping"}'));
  assert.is(await legacy.closed, 1003);

  const current = await open(s, '/api/current');
  current.send('{"jsonrpc":"2.0","id":"u1","method":"core.ping","params":"x"}');
  assert.equal((await current.next()).msg, { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: 'u1' });
  assert.is((await rpc(current, 'u2', 'core.ping', [])).result, 'pong');
  await current.close();
});

t.run();
