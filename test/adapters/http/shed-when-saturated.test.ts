import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { peerMediaType } from '../../../adapters/http/appgate/peer-version.js';
import { type Reply, call } from '../../helpers/http.js';
import { type TestServer, startTestServer } from '../../helpers/test-server.js';

// Under a burst most answers are shed ones: a password step the argon2 queue would shed is refused before its body
// is read, in the shape of its dialect. The proof that the body was not read: while the queue is full, a malformed
// body gets the very answer a well-formed one gets, where it gets a 400 (or the dialect's own) once the queue drains.
const t = suite<{ s: TestServer }>('shed before the body is read');

t.before(async (ctx) => {
  // A short queue behind the pool: a crowd of logins fills it for a few hashes' time.
  ctx.s = await startTestServer({ env: { LATCHKEY_ARGON2_MAX_QUEUE: String(maxQueue) } });
});
t.after(async ({ s }) => {
  await s.running.close();
});

const maxQueue = 8;

/** Waits until the server's argon2 queue is full (its /metrics gauge), so that the next password step is shed. */
const untilSaturated = async (s: TestServer): Promise<void> => {
  for (let i = 0; i < 400; i++) {
    const text = (await call(s.url, 'GET', '/metrics')).text;
    if (Number(/^latchkey_argon2_queue (\d+)/m.exec(text)?.[1] ?? 0) >= maxQueue) return;
  }
  throw new Error('the argon2 queue never filled');
};

const appgate = { accept: peerMediaType(22) };
const routes: { name: string; path: string; headers: Record<string, string>; type: string; good: string; bad: string }[] = [
  { name: 'native', path: '/v1/login', headers: {}, type: 'application/json', good: JSON.stringify({ username: 'nobody', password: 'wrong password 1' }), bad: '{"username":' },
  { name: 'oracle', path: '/ccadmin/v1/mfalogin', headers: {}, type: 'application/x-www-form-urlencoded', good: 'grant_type=password&username=nobody&password=wrong+password+1&totp_code=123456', bad: '%%%' },
  { name: 'appgate', path: '/admin/authentication', headers: appgate, type: 'application/json', good: JSON.stringify({ providerName: 'local', username: 'nobody', password: 'wrong password 1', deviceId: 'b1f0c3d2-test' }), bad: '[' },
  { name: 'mykaarma', path: '/manage/v2/user/nobody/validatepasswordonly', headers: {}, type: 'application/json', good: JSON.stringify({ password: 'wrong password 1' }), bad: '{"password":' },
];

const send = (s: TestServer, r: (typeof routes)[number], body: string): Promise<Reply> => call(s.url, 'POST', r.path, { raw: body, headers: { ...r.headers, 'content-type': r.type } });

/**
 * A malformed and a well-formed password step sent the moment the queue is seen full. The queue drains one hash at a
 * time, so either may still arrive after a slot freed: such a round says nothing and is tried again. A server that
 * read the body before shedding would answer the malformed one 400 in every round.
 */
const whileSaturated = async (s: TestServer, r: (typeof routes)[number]): Promise<[Reply, Reply]> => {
  let last: [Reply, Reply] | undefined;
  for (let round = 0; round < 5; round++) {
    // Fill the pool and its queue with unknown-user logins (each costs a dummy argon2 verify), then ask at once.
    const crowd = Array.from({ length: maxQueue + 8 }, (_, i) => call(s.url, 'POST', '/v1/login', { json: { username: `crowd-${round}-${i}`, password: 'crowd password 1' } }));
    await untilSaturated(s);
    last = await Promise.all([send(s, r, r.bad), send(s, r, r.good)]);
    await Promise.all(crowd);
    if (last[0].status === 503 && last[1].status === 503) break;
  }
  return last!;
};

t('while the argon2 queue is full, every dialect sheds its password step before reading the body', async ({ s }) => {
  for (const r of routes) {
    const drained = await send(s, r, r.bad);
    assert.is.not(drained.status, 503, `${r.name}: a malformed body is judged when the queue has room`);
    const [bad, good] = await whileSaturated(s, r);
    assert.is(bad.status, 503, `${r.name}: ${bad.text}`);
    assert.ok(/^[1-9]\d*$/.test(bad.headers.get('retry-after') ?? ''), `${r.name}: Retry-After`);
    assert.is(good.status, 503, `${r.name}: the well-formed body is shed too`);
    // Request ids (myKaarma's apiRequestId) aside.
    const shape = (reply: Reply) => reply.text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');
    assert.is(shape(bad), shape(good), `${r.name}: the same answer whatever the body`);
    assert.is.not(shape(bad), shape(drained));
  }
});

t.run();
