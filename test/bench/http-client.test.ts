import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BenchClient } from '../../bench/http-client.js';
import { parseResponse } from '../../bench/http-connection.js';

/** node:http's server is the independent party: whatever it frames, the benchmark's client must read. */
const withServer = async (handler: (req: IncomingMessage, res: ServerResponse, body: string) => void, run: (url: string) => Promise<void>) => {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      body += d;
    });
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
};

const test = suite('bench http client');

test('sends method, path, JSON body and bearer token; reads status, Retry-After and the JSON answer', async () => {
  await withServer(
    (req, res, body) => {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2' });
      res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body: JSON.parse(body) }));
    },
    async (url) => {
      const client = new BenchClient(url, 2);
      const a = await client.call('POST', '/v1/login?x=1', { username: 'zoë', password: 'ü'.repeat(3) }, 'tok');
      client.close();
      assert.is(a.status, 503);
      assert.is(a.retryAfter, '2');
      assert.equal(a.body, { method: 'POST', url: '/v1/login?x=1', auth: 'Bearer tok', type: 'application/json', body: { username: 'zoë', password: 'üüü' } });
      assert.ok(a.ms > 0);
    },
  );
});

test('reads chunked answers, empty answers and reuses one connection for sequential calls', async () => {
  const ports = new Set<number>();
  await withServer(
    (req, res) => {
      ports.add(req.socket.remotePort as number);
      if (req.url === '/empty') {
        res.writeHead(204).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
      res.write('[1,2,');
      res.end('3]}');
    },
    async (url) => {
      const client = new BenchClient(url, 4);
      for (let i = 0; i < 5; i++) assert.equal((await client.call('GET', '/chunked')).body, { a: [1, 2, 3] });
      const empty = await client.call('GET', '/empty');
      assert.is(empty.status, 204);
      assert.is(empty.body, undefined);
      assert.is(client.connections, 1);
      client.close();
    },
  );
  assert.is(ports.size, 1);
});

test('never opens more than maxSockets connections; extra calls wait and all complete', async () => {
  let open = 0;
  let peak = 0;
  await withServer(
    (_req, res) => {
      open++;
      peak = Math.max(peak, open);
      setTimeout(() => {
        open--;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }, 5);
    },
    async (url) => {
      const client = new BenchClient(url, 3);
      const answers = await Promise.all(Array.from({ length: 20 }, () => client.call('GET', '/')));
      assert.is(client.connections, 3);
      client.close();
      assert.ok(answers.every((a) => a.status === 200 && a.body.ok === true));
    },
  );
  assert.is(peak, 3);
});

test('a connection the server closes is replaced, and a request cut mid-answer is rejected', async () => {
  let calls = 0;
  await withServer(
    (_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(200, { connection: 'close', 'content-type': 'application/json' }).end('{"n":1}');
      } else if (calls === 2) {
        res.writeHead(200, { 'content-length': '100' });
        res.write('{"partial":');
        setTimeout(() => res.socket?.destroy(), 5);
      } else res.writeHead(200, { 'content-type': 'application/json' }).end('{"n":3}');
    },
    async (url) => {
      const client = new BenchClient(url, 1);
      assert.equal((await client.call('GET', '/')).body, { n: 1 });
      await client.call('GET', '/').then(
        () => assert.unreachable('a cut answer must not resolve'),
        (err: Error) => assert.match(err.message, /closed/),
      );
      assert.equal((await client.call('GET', '/')).body, { n: 3 });
      client.close();
    },
  );
});

test('refuses any host but 127.0.0.1', () => {
  assert.throws(() => new BenchClient('http://localhost:8080', 1), /127\.0\.0\.1 only/);
  assert.throws(() => new BenchClient('http://10.0.0.1:8080', 1), /127\.0\.0\.1 only/);
});

test('parseResponse: incomplete heads and bodies wait; what cannot be framed throws', () => {
  const b = (s: string) => Buffer.from(s, 'latin1');
  assert.is(parseResponse(b('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n')), undefined);
  assert.is(parseResponse(b('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{')), undefined);
  assert.is(parseResponse(b('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}'))?.body.toString(), '{}');
  assert.is(parseResponse(b('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n')), undefined);
  assert.is(parseResponse(b('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'))?.body.toString(), '{}');
  assert.is(parseResponse(b('HTTP/1.1 200 OK\r\nConnection: close\r\ncontent-length: 0\r\n\r\n'))?.keepAlive, false);
  assert.throws(() => parseResponse(b('SSH-2.0-OpenSSH\r\n\r\n')), /status line/);
  assert.throws(() => parseResponse(b('HTTP/1.1 200 OK\r\n\r\n')), /length/);
  assert.throws(() => parseResponse(b('HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n{}')), /after the response/);
  assert.throws(() => parseResponse(b('HTTP/1.1 200 OK\r\nno colon\r\n\r\n')), /malformed header/);
});

test.run();
