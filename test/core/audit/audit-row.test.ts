import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { auditRow, reasonOf } from '../../../core/audit/audit-row.js';
import type { StoredEvent } from '../../../core/event.js';

const test = suite('audit row');

const event = (type: string, data: object): StoredEvent => ({
  seq: 7,
  id: 'c:0',
  stream: 'account-a',
  version: 2,
  type,
  schema: 1,
  data,
  meta: { requestId: 'r', ip: '192.0.2.1', dialect: 'truenas', userAgent: null },
  at: 1000,
});

test('reasons: the kind of check that failed, or the reason the event carries', () => {
  assert.is(reasonOf(event('PasswordRejected', { failures: 1 })), 'password');
  assert.is(reasonOf(event('OtpRejected', { reason: 'replayed', failures: 2 })), 'replayed');
  assert.is(reasonOf(event('LoginRefused', { reason: 'locked' })), 'locked');
  assert.is(reasonOf(event('UnknownUserAttempted', { attempts: 3 })), 'unknown_user');
  assert.is(reasonOf(event('ApiKeyRejected', { failures: 1 })), 'api_key');
  assert.is(reasonOf(event('SessionRevoked', { reason: 'logout' })), 'logout');
  assert.is(reasonOf(event('LoginSucceeded', { aal: 'aal2', method: 'password+totp' })), undefined);
  // A type added later reads its own reason field.
  assert.is(reasonOf(event('LoginThrottled', { reason: 'throttled' })), 'throttled');
});

test('a row: seq, time, stream, type, dialect, address, reason when there is one, data', () => {
  assert.equal(auditRow(event('OtpRejected', { reason: 'invalid', failures: 1 })), {
    seq: 7,
    at: 1000,
    stream: 'account-a',
    type: 'OtpRejected',
    dialect: 'truenas',
    ip: '192.0.2.1',
    data: { reason: 'invalid', failures: 1 },
    reason: 'invalid',
  });
  assert.not.ok('reason' in auditRow(event('LoginSucceeded', {})));
});

test.run();
