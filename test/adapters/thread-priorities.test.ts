import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { configFromEnv } from '../../adapters/config.js';
import { openEngine } from '../../adapters/open-engine.js';

// On 2 cores, two argon2 hashes keep both cores busy: whatever a login waits for besides its hash (the event loop,
// the pool workers' JS threads, which check TOTP codes, and the log's writer and its fsync) must keep its priority,
// and only hashing may drop to nice 19 and SCHED_IDLE.
const test = suite('thread priorities');

/** Field N (1-based, proc(5)) of /proc/self/task/TID/stat: 19 is nice, 41 the scheduling policy. */
const statField = (tid: number, n: number): number => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[n - 3]);
const niceOf = (tid: number): number => statField(tid, 19);
const policyOf = (tid: number): number => statField(tid, 41);
/** sched(7): SCHED_OTHER is 0, SCHED_IDLE 5. */
const schedOther = 0;
const schedIdle = 5;
/** chrt (util-linux, in every Debian) sets the idle policy; without it the server keeps nice 19 alone. */
const hasChrt = (() => {
  try {
    execFileSync('chrt', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const threads = (): number[] => readdirSync('/proc/self/task').map(Number);

test('after the pool is warm, hashing threads run at nice 19 and SCHED_IDLE, the loop, the TOTP lanes and the writer as before', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-priority-'));
  const engine = await openEngine(configFromEnv({ LATCHKEY_DATA_DIR: dataDir, LATCHKEY_ADMIN_KEY: 'priority-test-admin-key', LATCHKEY_ARGON2_MEMORY_KIB: '64', LATCHKEY_ARGON2_ITERATIONS: '1' }));
  try {
    assert.ok(threads().every((tid) => niceOf(tid) === 0 && policyOf(tid) === schedOther), 'all at 0 and SCHED_OTHER before');
    const lowered = await engine.lowerHashingPriority();
    assert.ok(lowered >= 2, `${lowered} threads lowered`);
    const nice = new Map(threads().map((tid) => [tid, niceOf(tid)]));
    assert.is(nice.get(process.pid), 0, 'the event loop');
    const kept = [...nice].filter(([, n]) => n === 0).map(([tid]) => tid);
    // The main thread, the writer and the workers answering TOTP checks keep their priority, and no other thread
    // (piscina may hand two lanes to one worker while the other starts: then that one is lowered).
    const lanes = engine.pool.stats().totpLanes;
    assert.is(lanes, engine.pool.stats().argon2Threads, 'as many TOTP lanes as workers');
    assert.ok(kept.length >= 3 && kept.length <= 2 + lanes, `kept ${kept.join(', ')}`);
    assert.is([...nice.values()].filter((n) => n === 19).length, lowered);
    for (const tid of kept) assert.is(policyOf(tid), schedOther, `thread ${tid} keeps SCHED_OTHER`);
    const idle = threads().filter((tid) => policyOf(tid) === schedIdle);
    assert.is(idle.length, hasChrt ? lowered : 0, 'every lowered thread, and only those, is SCHED_IDLE');
    assert.ok(idle.every((tid) => niceOf(tid) === 19));
    // The writer still appends at its priority: an append made now commits.
    await engine.latchkey.registerUser({ username: 'priority', password: 'correct horse battery staple' }, { requestId: 'r', ip: '127.0.0.1', dialect: 'native', userAgent: 'test' });
    assert.ok((await engine.store.accountIdByUsername('priority')) !== null);
  } finally {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
