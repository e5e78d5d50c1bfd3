import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { importablePhc, needsRehash, parsePhc } from '../../core/phc.js';
import { defaultPolicy } from '../../core/policy.js';

/** OWASP Password Storage cheat sheet: argon2id m=19 MiB, t=2, p=1 is the floor; PHC strings let the cost rise. */
const t = suite('PHC strings');

const salt = 'c29tZXNhbHQxNmJ5dGVzIQ';
const hash = 'mY0hX0t3bXnY0b3ZbmJd1m0r6Qe2kbm7oBbB4n3h0kA';
const phc = (alg: string, m: number, tc: number, p: number, v = 19): string => `$${alg}$v=${v}$m=${m},t=${tc},p=${p}$${salt}$${hash}`;

t('parse: algorithm and cost', () => {
  assert.equal(parsePhc(phc('argon2id', 19456, 2, 1)), { algorithm: 'argon2id', memoryKiB: 19456, iterations: 2, parallelism: 1 });
  assert.equal(parsePhc(phc('argon2i', 4096, 3, 1)), { algorithm: 'argon2i', memoryKiB: 4096, iterations: 3, parallelism: 1 });
  assert.equal(parsePhc(phc('argon2d', 4096, 3, 1))?.algorithm, 'argon2d');
});

t('parse: the parameters in any order (the node binding writes m,p,t; the reference CLI m,t,p)', () => {
  const expected = { algorithm: 'argon2id', memoryKiB: 19456, iterations: 2, parallelism: 1 };
  assert.equal(parsePhc(`$argon2id$v=19$m=19456,p=1,t=2$${salt}$${hash}`), expected);
  assert.equal(parsePhc(`$argon2id$v=19$t=2,m=19456,p=1$${salt}$${hash}`), expected);
});

t('parse: anything else is null', () => {
  for (const bad of [
    '',
    'password',
    phc('argon2id', 19456, 2, 1, 16),
    phc('argon2', 19456, 2, 1),
    '$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234',
    `${phc('argon2id', 19456, 2, 1)}\n`,
    `$argon2id$v=19$m=19456,t=2,p=1$${salt}`,
    `$argon2id$v=19$m=19456,t=2$${salt}$${hash}`,
    `$argon2id$v=19$m=19456,t=2,p=1,m=8$${salt}$${hash}`,
    `$argon2id$v=19$m=19456,t=2,p=1,x=1$${salt}$${hash}`,
    `$argon2id$v=19$m=19456,t=2,t=2$${salt}$${hash}`,
    `$argon2id$v=19$m=19456,t=2,p=1$${salt}$${hash}$extra`,
  ]) {
    assert.is(parsePhc(bad), null, JSON.stringify(bad));
  }
});

t('importable: argon2id and argon2i with sane cost; not argon2d, not tiny memory', () => {
  assert.ok(importablePhc(phc('argon2id', 19456, 2, 1)));
  assert.ok(importablePhc(phc('argon2i', 4096, 3, 1)));
  assert.ok(importablePhc(phc('argon2id', 8, 1, 1)));
  assert.not.ok(importablePhc(phc('argon2d', 19456, 2, 1)));
  assert.not.ok(importablePhc(phc('argon2id', 7, 1, 1)));
  assert.not.ok(importablePhc(phc('argon2id', 19456, 0, 1)));
  assert.not.ok(importablePhc(phc('argon2id', 19456, 2, 0)));
  assert.not.ok(importablePhc('not a hash'));
});

t('needsRehash: at the policy cost no; below it on any axis, or not argon2id, yes; above it no', () => {
  const { memoryKiB: m, iterations: it, parallelism: p } = defaultPolicy.argon2;
  assert.not.ok(needsRehash(phc('argon2id', m, it, p), defaultPolicy));
  assert.ok(needsRehash(phc('argon2id', m - 1, it, p), defaultPolicy));
  assert.ok(needsRehash(phc('argon2id', m, it - 1, p), defaultPolicy));
  assert.ok(needsRehash(phc('argon2id', m, it, p - 1), defaultPolicy));
  assert.ok(needsRehash(phc('argon2i', m, it, p), defaultPolicy));
  assert.not.ok(needsRehash(phc('argon2id', m + 1, it + 1, p + 1), defaultPolicy));
  assert.not.ok(needsRehash('not a hash', defaultPolicy));
});

t.run();
