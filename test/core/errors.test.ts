import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DomainError, isDomainError } from '../../core/errors.js';

const test = suite('DomainError');

test('carries its code, message and Retry-After, and is an Error', () => {
  const e = new DomainError('overloaded', 'the server is busy', 1);
  assert.is(e.code, 'overloaded');
  assert.is(e.message, 'the server is busy');
  assert.is(e.retryAfterSeconds, 1);
  assert.is(e.name, 'DomainError');
  assert.ok(e instanceof Error && isDomainError(e));
  assert.is(new DomainError('invalid_request').message, 'invalid_request');
  assert.is(new DomainError('invalid_request').retryAfterSeconds, undefined);
});

test('an answer carries no stack frames, and other errors keep theirs', () => {
  const deep = (n: number): DomainError => (n === 0 ? new DomainError('invalid_credentials') : deep(n - 1));
  assert.is(deep(5).stack, 'DomainError: invalid_credentials');
  const before = Error.stackTraceLimit;
  const bug = new Error('a bug');
  assert.is(Error.stackTraceLimit, before);
  assert.match(bug.stack ?? '', /\n\s+at /);
});

test.run();
