import * as argon2 from 'argon2';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BenchClient } from '../../bench/http-client.js';
import { type ServerProcess, startFloorServer } from '../../bench/server-process.js';
import { defaultPolicy } from '../../core/policy.js';

/**
 * The floor is only a floor if it really checks the password (a server that answered without hashing would make
 * the engine look far from what the machine allows) and keeps the native API's two steps, so the load generator
 * drives it exactly as it drives the engine.
 */
const test = suite('bench floor server');
const password = 'floor-password-not-secret';
let floor: ServerProcess;

test.before(async () => {
  const { memoryKiB, iterations, parallelism } = defaultPolicy.argon2;
  const phc = await argon2.hash(password, { type: argon2.argon2id, memoryCost: memoryKiB, timeCost: iterations, parallelism });
  floor = await startFloorServer(phc);
});

test.after(async () => {
  await floor.stop();
});

test('the right password gets an mfa_token, which the second step takes once', async () => {
  const client = new BenchClient(floor.url, 1);
  try {
    const first = await client.call('POST', '/v1/login', { username: 'anyone', password });
    assert.is(first.status, 200);
    assert.is(first.body.status, 'mfa_required');
    assert.type(first.body.mfa_token, 'string');
    const second = await client.call('POST', '/v1/login/mfa', { mfa_token: first.body.mfa_token, otp: '000000' });
    assert.is(second.status, 200);
    assert.type(second.body.access_token, 'string');
    const again = await client.call('POST', '/v1/login/mfa', { mfa_token: first.body.mfa_token, otp: '000000' });
    assert.is(again.status, 401);
  } finally {
    client.close();
  }
});

test('a wrong password is refused: the floor hashes', async () => {
  const client = new BenchClient(floor.url, 1);
  try {
    const answer = await client.call('POST', '/v1/login', { username: 'anyone', password: `${password}!` });
    assert.is(answer.status, 401);
    assert.is(answer.body.mfa_token, undefined);
  } finally {
    client.close();
  }
});

test('a body that is not JSON gets 400, and the server goes on answering', async () => {
  const bad = await fetch(`${floor.url}/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"password":' });
  assert.is(bad.status, 400);
  const client = new BenchClient(floor.url, 1);
  try {
    assert.is((await client.call('POST', '/v1/login', { username: 'anyone', password })).status, 200);
  } finally {
    client.close();
  }
});

test.run();
