import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { inRange, parseDuration, parseInstant } from '../../../core/audit/time-range.js';

const test = suite('audit times and durations');
const now = Date.UTC(2026, 11, 1, 8, 0, 0);

test('durations: 90s, 15m, 2h, 1d', () => {
  assert.equal(['90s', '15m', '2h', '1d', '1w', '250ms'].map(parseDuration), [90_000, 900_000, 7_200_000, 86_400_000, 604_800_000, 250]);
});

test('bad durations: null', () => {
  for (const bad of ['', '15', 'm', '1.5h', '-2h', '2 hours', '1y', '2H', '99999999999999d']) assert.is(parseDuration(bad), null, bad);
});

test('ISO 8601 instants, in UTC or with an offset; a date alone is midnight UTC', () => {
  assert.is(parseInstant('2026-12-01T08:00:00Z', 0), now);
  assert.is(parseInstant('2026-12-01T09:00:00+01:00', 0), now);
  assert.is(parseInstant('2026-12-01T03:30:00-04:30', 0), now);
  assert.is(parseInstant('2026-12-01T08:00Z', 0), now);
  assert.is(parseInstant('2026-12-01T08:00:00.25Z', 0), now + 250);
  assert.is(parseInstant('2026-12-01', 0), Date.UTC(2026, 11, 1));
  assert.is(parseInstant('2028-02-29T00:00:00Z', 0), Date.UTC(2028, 1, 29));
});

test('relative instants count back from now', () => {
  assert.is(parseInstant('-24h', now), now - 86_400_000);
  assert.is(parseInstant('-7d', now), now - 7 * 86_400_000);
  assert.is(parseInstant('now', now), now);
});

test('bad instants: null (no local times, no impossible dates)', () => {
  for (const bad of ['', 'yesterday', '2026-12-01T08:00:00', '2026-13-01', '2026-02-30', '2027-02-29', '2026-12-01T24:00:00Z', '2026-12-01T08:60Z', '-24', '+24h', '12/01/2026', '2026-12-01T08:00:00+25:00']) {
    assert.is(parseInstant(bad, now), null, bad);
  }
});

test('a range holds since and excludes until', () => {
  assert.ok(inRange(10, { since: 10, until: 11 }));
  assert.not.ok(inRange(9, { since: 10 }));
  assert.not.ok(inRange(11, { since: 10, until: 11 }));
  assert.ok(inRange(-5, {}));
});

test.run();
