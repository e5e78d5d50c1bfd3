import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceEvent } from '../../core/device/events.js';
import { type StreamKind, eventSchema, evolve, initialState, parseStreamId, streamKinds, streams, upcastEvent, upcastState } from '../../core/streams.js';

/** The one stream model: every kind has its decider, old events and old projection rows read as today's. */
const t = suite('stream model');

const v1Remembered = { selector: 'sel-1', accountId: 'acc-1', validatorHash: 'v1', expiresAt: 10_000, epoch: 3 };

t('every stream kind has a decider, and stream ids name their kind', () => {
  assert.equal([...streamKinds].sort(), ['account', 'address', 'challenge', 'device', 'probe', 'session', 'throttle']);
  for (const kind of streamKinds) {
    assert.type(streams[kind].decide, 'function');
    assert.equal(parseStreamId(`${kind}-x-1`), { kind, id: 'x-1' });
  }
  assert.is(parseStreamId('nothing-1'), null);
});

t('DeviceRemembered is at schema 2; the types that never changed are at 1', () => {
  assert.is(eventSchema('DeviceRemembered'), 2);
  assert.is(eventSchema('AccountRegistered'), 1);
  assert.is(eventSchema('SessionIssued'), 1);
});

t('a v1 DeviceRemembered reads as v2 (`epoch` became `credentials`), and a v2 one passes unchanged', () => {
  const v2 = upcastEvent('DeviceRemembered', 1, v1Remembered);
  assert.equal(v2, { selector: 'sel-1', accountId: 'acc-1', validatorHash: 'v1', expiresAt: 10_000, credentials: 3 });
  assert.is(upcastEvent('DeviceRemembered', 2, v2), v2);
  assert.is(upcastEvent('SessionRevoked', 1, v1Remembered), v1Remembered, 'a type without upcasters is left alone');
});

t('the upcast v1 event folds into the device a v2 event gives', () => {
  const fromV1 = evolve('device', initialState('device'), { type: 'DeviceRemembered', data: upcastEvent('DeviceRemembered', 1, v1Remembered) } as DeviceEvent, 0);
  assert.equal(fromV1, { status: 'active', selector: 'sel-1', accountId: 'acc-1', validatorHash: 'v1', expiresAt: 10_000, credentials: 3, rotations: 0 });
});

t('old projection rows read in the current shape: a device with `epoch`, an account without the fields added since', () => {
  const device = upcastState('device', { status: 'active', selector: 's', accountId: 'a', validatorHash: 'v', expiresAt: 1, epoch: 2, rotations: 4 });
  assert.equal(device, { status: 'active', selector: 's', accountId: 'a', validatorHash: 'v', expiresAt: 1, rotations: 4, credentials: 2 });
  const oldAccount = {
    status: 'registered',
    account: { id: 'a', username: 'u', passwordHash: 'p', roles: [], mfa: 'required', totp: { status: 'none' }, recovery: [], failures: 1, lock: { status: 'open' }, lastTotpStep: null, epoch: 0 },
  };
  const account = upcastState('account', oldAccount);
  assert.equal(account.status === 'registered' && [account.account.recentFailures, account.account.credentials, account.account.apiKeys], [[], 0, []]);
  const current = upcastState('account', account);
  assert.is(current, account, 'a current row is returned as it is (no copy on the hot path)');
});

t('initial states are fresh objects', () => {
  for (const kind of streamKinds as readonly StreamKind[]) assert.is.not(initialState(kind), initialState(kind));
});

t.run();
