import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeRandom, uuidV7 } from '../../../adapters/crypto/node-random.js';

const test = suite('nodeRandom');

const uuidV7Pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('RFC 9562 test vector (appendix A.6): 2022-02-22 19:22:22 UTC with its random bits', () => {
  // 0x017F22E279B0 ms; rand_a 0xCC3, var 0b10, rand_b 0x18C4DC0C0C07398F.
  const random = Buffer.from('000000000000' + '0cc3' + '98c4dc0c0c07398f', 'hex');
  assert.is(uuidV7(0x017f22e279b0, random), '017f22e2-79b0-7cc3-98c4-dc0c0c07398f');
});

test('version 7, variant 10, and the time in the first 48 bits', () => {
  const now = Date.now();
  const id = nodeRandom.id();
  assert.match(id, uuidV7Pattern);
  const ms = Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
  assert.ok(ms >= now && ms <= Date.now(), `${ms} within the call`);
});

test('ids a millisecond apart sort in time order; within one, the 74 random bits keep them apart', () => {
  const earlier = uuidV7(1_700_000_000_000);
  const later = uuidV7(1_700_000_000_001);
  assert.ok(earlier < later, 'string order is time order');
  const sameMs = new Set(Array.from({ length: 10_000 }, () => uuidV7(1_700_000_000_000)));
  assert.is(sameMs.size, 10_000);
});

test('ids cut from one draw of entropy never share their random bits, across draws too', () => {
  // 10,000 ids span ~40 draws of 256; the last 74 bits are all random, the time is fixed.
  const randomBits = Array.from({ length: 10_000 }, () => uuidV7(1_700_000_000_000).replace(/-/g, '').slice(12));
  assert.is(new Set(randomBits).size, randomBits.length);
  // No slice of a draw is all zeros (a buffer handed out before it was filled would be).
  assert.ok(randomBits.every((hex) => !/^7000[89ab]0{15}$/.test(hex)));
});

test('fraction: uniform in [0, 1), a new one each call (the jitter of a retry)', () => {
  const draws = Array.from({ length: 10_000 }, () => nodeRandom.fraction());
  assert.ok(draws.every((f) => f >= 0 && f < 1));
  assert.ok(new Set(draws).size > 9_990);
  // Each tenth of the range gets its share (10,000 draws: 1,000 expected, a spread of about 30).
  const tenths = new Array<number>(10).fill(0);
  for (const f of draws) tenths[Math.floor(f * 10)]!++;
  assert.ok(tenths.every((n) => n > 800 && n < 1200), tenths.join(','));
});

test.run();
