/**
 * The floor a login can reach on this machine: an HTTP server that does nothing but the argon2id verification,
 * through the server's own crypto pool at the server's size and thread priorities, answering the two steps of
 * the native API as the load generator expects them. No koa, no event log, no TOTP check, no token signing: what
 * it reaches divided by the raw limit is what HTTP on the same 2 cores and the load generator alone cost, the
 * part of the login ratio no engine can win back. Run by bench/main.ts as a child process (not a product).
 *
 * Usage: node dist/bench/floor-server.js, with BENCH_FLOOR_PHC set to the PHC string every user's password has.
 */
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCryptoPool } from '../adapters/crypto/crypto-pool.js';
import { PoolPasswordHasher } from '../adapters/crypto/pool-password-hasher.js';
import { isDomainError } from '../core/errors.js';
import { defaultPolicy } from '../core/policy.js';

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });

const answer = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
};

/** The pool's bounded queue sheds as the server's does (503 + Retry-After), and the load generator waits as it does. */
const fail = (res: ServerResponse, err: unknown): void =>
  isDomainError(err) && err.code === 'overloaded'
    ? answer(res, 503, { error: 'overloaded' }, { 'retry-after': String(err.retryAfterSeconds ?? 1) })
    : answer(res, 400, { error: 'invalid_request' });

const main = async () => {
  const phc = process.env.BENCH_FLOOR_PHC;
  if (!phc) throw new Error('BENCH_FLOOR_PHC is not set');
  const pool = createCryptoPool({});
  const hasher = await PoolPasswordHasher.create(pool, defaultPolicy.argon2);
  // Warm, then the priorities the real server takes once warm (adapters/start-server.ts): the event loop preempts hashing.
  await Promise.all([hasher.verify(phc, 'warm'), hasher.verify(phc, 'warm')]);
  await pool.lowerHashingPriority();
  const open = new Set<string>();
  const server = createServer((req, res) => {
    readBody(req)
      .then(async (text) => {
        const body = JSON.parse(text) as { password?: string; mfa_token?: string };
        if (req.url === '/v1/login') {
          if (!(await hasher.verify(phc, String(body.password)))) return answer(res, 401, { error: 'invalid_credentials' });
          const token = randomBytes(16).toString('base64url');
          open.add(token);
          return answer(res, 200, { status: 'mfa_required', mfa_token: token });
        }
        if (req.url === '/v1/login/mfa' && open.delete(String(body.mfa_token))) return answer(res, 200, { access_token: randomBytes(32).toString('base64url') });
        return answer(res, 401, { error: 'invalid_token' });
      })
      .catch((err: unknown) => fail(res, err));
  });
  server.listen(0, '127.0.0.1', () => {
    process.stderr.write(`latchkey listening on http://127.0.0.1:${(server.address() as AddressInfo).port} (floor: argon2 only)\n`);
  });
  process.once('SIGTERM', () => {
    server.close();
    void pool.close().then(() => process.exit(0));
  });
};

main().catch((err) => {
  process.stderr.write(`floor server failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
