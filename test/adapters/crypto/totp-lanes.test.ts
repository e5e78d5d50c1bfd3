import { Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TotpLanes } from '../../../adapters/crypto/totp-lanes.js';

/**
 * The lanes' bookkeeping over real threads: each lane a worker_threads Worker holding the port, answering a check
 * with its epochSeconds as the step (the real check is pool-totp-verifier.test.ts's). A lane whose thread ends is
 * replaced, and a check waiting on it is answered on the new one.
 */
const t = suite('TotpLanes');

const check = (epochSeconds: number) => ({ secret: 'JBSWY3DPEHPK3PXP', algorithm: 'SHA1', digits: 6, period: 30, code: '123456', epochSeconds, window: 1, after: null }) as const;

/** A thread serving one lane; `silent` ones read checks and never answer. */
const laneThread = (port: MessagePort, silent: boolean): Worker =>
  new Worker(
    `const { port, silent } = require('node:worker_threads').workerData;
     port.on('message', ({ id, check }) => { if (!silent) port.postMessage({ id, step: check.epochSeconds }); });`,
    { eval: true, workerData: { port, silent }, transferList: [port] },
  );

t('checks are spread over the lanes and answered on the one they went to', async () => {
  const workers: Worker[] = [];
  const lanes = new TotpLanes(async (task) => {
    workers.push(laneThread(task.port, false));
    return workers.length;
  }, 2);
  try {
    const steps = await Promise.all(Array.from({ length: 10 }, (_, i) => lanes.verify(check(1000 + i))));
    assert.equal(steps, Array.from({ length: 10 }, (_, i) => 1000 + i));
    assert.is(lanes.size(), 2);
    assert.equal((await lanes.threads()).sort(), [1, 2]);
  } finally {
    lanes.close();
    await Promise.all(workers.map((w) => w.terminate()));
  }
});

t('a lane whose thread ended is replaced, and the check waiting on it is answered on the new lane', async () => {
  const workers: Worker[] = [];
  const lanes = new TotpLanes(async (task) => {
    workers.push(laneThread(task.port, workers.length === 0));
    return workers.length;
  }, 1);
  try {
    const waiting = lanes.verify(check(4242));
    await new Promise((r) => setTimeout(r, 50));
    assert.is(workers.length, 1, 'one lane, silent');
    await workers[0]!.terminate();
    assert.is(await waiting, 4242, 'answered on the replacement');
    assert.is(workers.length, 2);
    assert.is(await lanes.verify(check(7)), 7);
  } finally {
    lanes.close();
    await Promise.all(workers.map((w) => w.terminate()));
  }
});

t('closed: a waiting check is refused, and so is a new one', async () => {
  const workers: Worker[] = [];
  const lanes = new TotpLanes(async (task) => {
    workers.push(laneThread(task.port, true));
    return null;
  }, 1);
  try {
    const waiting = lanes.verify(check(1)).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    await new Promise((r) => setTimeout(r, 50));
    lanes.close();
    assert.match(await waiting, /closed/);
    const after = await lanes.verify(check(2)).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    assert.match(after, /closed/);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
});

t.run();
