import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceCommand } from '../../../core/device/commands.js';
import { deviceDecider } from '../../../core/device/decider.js';
import type { DeviceEvent } from '../../../core/device/events.js';
import { specification } from '../given-when-then.js';

/** OWASP "device cookies": the validator rotates on each use, a rotated-out copy revokes the series, expiry is absolute. */
const t = suite('remembered device decider');
const given = specification(deviceDecider);

const t0 = 1_736_154_000_000;
const ttl = 30 * 24 * 3600_000;
const expiresAt = t0 + ttl;
const credentials = 2;

const remembered: DeviceEvent = {
  type: 'DeviceRemembered',
  data: { selector: 'sel-1', accountId: 'acc-1', validatorHash: 'v1', expiresAt, credentials },
};
const use = (presentedHash: string, now: number, opts: { newValidatorHash?: string; accountCredentials?: number; accountId?: string } = {}): DeviceCommand => ({
  type: 'Use',
  accountId: opts.accountId ?? 'acc-1',
  presentedHash,
  newValidatorHash: opts.newValidatorHash ?? 'v2',
  accountCredentials: opts.accountCredentials ?? credentials,
  now,
});
const rotated = (validatorHash: string): DeviceEvent => ({ type: 'DeviceRotated', data: { validatorHash } });
const revoked = (reason: 'reuse' | 'credentials_changed' | 'expired' | 'admin'): DeviceEvent => ({ type: 'DeviceRevoked', data: { reason } });

t('Remember: expires ttl after; twice under one selector is an id collision', () => {
  given([]).when({ type: 'Remember', selector: 'sel-1', accountId: 'acc-1', validatorHash: 'v1', credentials, ttlMs: ttl, now: t0 }).then([remembered]);
  given([remembered]).when({ type: 'Remember', selector: 'sel-1', accountId: 'acc-1', validatorHash: 'v9', credentials, ttlMs: ttl, now: t0 }).thenThrows('id_collision');
});

t('a use with the current validator rotates it', () => {
  const s = given([remembered]).when(use('v1', t0 + 1)).then([rotated('v2')]);
  assert.is(s.status === 'active' ? s.validatorHash : null, 'v2');
});

t('after a rotation the new validator rotates again', () => {
  given([remembered, rotated('v2')]).when(use('v2', t0 + 2, { newValidatorHash: 'v3' })).then([rotated('v3')]);
});

t('a rotated-out validator is reuse: the whole series is revoked', () => {
  const s = given([remembered, rotated('v2')]).when(use('v1', t0 + 2, { newValidatorHash: 'v3' })).then([{ type: 'DeviceReuseDetected', data: {} }, revoked('reuse')]);
  assert.is(s.status, 'revoked');
  // The legitimate holder of v2 is out too: the series cannot tell the thief from the owner.
  given([remembered, rotated('v2'), { type: 'DeviceReuseDetected', data: {} }, revoked('reuse')]).when(use('v2', t0 + 3)).then([]);
});

t('the absolute expiry survives rotations: expiresAt−1 ms rotates, expiresAt and +1 ms revoke as expired', () => {
  const history = [remembered, rotated('v2'), rotated('v3')];
  const s = given(history).when(use('v3', expiresAt - 1, { newValidatorHash: 'v4' })).then([rotated('v4')]);
  assert.is(s.status === 'active' ? s.expiresAt : null, expiresAt);
  given(history).when(use('v3', expiresAt, { newValidatorHash: 'v4' })).then([revoked('expired')]);
  given(history).when(use('v3', expiresAt + 1, { newValidatorHash: 'v4' })).then([revoked('expired')]);
});

t('a change of the account\'s credentials (password, factor, disable) revokes it', () => {
  given([remembered]).when(use('v1', t0 + 1, { accountCredentials: credentials + 1 })).then([revoked('credentials_changed')]);
});

t('another account’s use of the selector changes nothing', () => {
  given([remembered]).when(use('v1', t0 + 1, { accountId: 'acc-2' })).then([]);
});

t('a revoked or unknown device: Use and Revoke add nothing', () => {
  given([remembered, revoked('admin')]).when(use('v1', t0 + 1)).then([]);
  given([remembered, revoked('admin')]).when({ type: 'Revoke', now: t0 + 1 }).then([]);
  given([]).when(use('v1', t0 + 1)).then([]);
});

t('admin Revoke of an active device', () => {
  given([remembered]).when({ type: 'Revoke', now: t0 + 1 }).then([revoked('admin')]);
});

t.run();
