import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { codeShape } from '../../core/otp-format.js';

/** docs/security.md §5: malformed codes get the same generic answer and count as failures; they must be told apart first. */
const t = suite('codeShape');

t('six ASCII digits are a TOTP code for a 6-digit factor', () => {
  assert.equal(codeShape('012345', 6), { kind: 'totp', code: '012345' });
});

t('eight ASCII digits are a TOTP code for an 8-digit factor, six are not', () => {
  assert.equal(codeShape('01234567', 8), { kind: 'totp', code: '01234567' });
  assert.equal(codeShape('012345', 8), { kind: 'malformed' });
});

t('absent: undefined and null', () => {
  assert.equal(codeShape(undefined, 6), { kind: 'absent' });
  assert.equal(codeShape(null, 6), { kind: 'absent' });
});

const malformed: readonly (readonly [string, unknown])[] = [
  ['empty string', ''],
  ['5 digits', '12345'],
  ['7 digits', '1234567'],
  ['10 digits', '1234567890'],
  ['Arabic-Indic digits', '٠١٢٣٤٥'],
  ['Extended Arabic-Indic digits', '۰۱۲۳۴۵'],
  ['fullwidth digits', '１２３４５６'],
  ['inner space', '123 456'],
  ['leading space', ' 123456'],
  ['trailing space', '123456 '],
  ['tab', '12345\t'],
  ['leading plus, 6 chars', '+12345'],
  ['leading plus, 7 chars', '+123456'],
  ['minus', '-12345'],
  ['decimal point', '12345.'],
  ['exponent', '1e5000'],
  ['trailing newline', '123456\n'],
  ['NUL byte', '12345\u0000'],
  ['JSON number', 123456],
  ['zero', 0],
  ['boolean', true],
  ['array of the code', ['123456']],
  ['empty array', []],
  ['object', { code: '123456' }],
  ['33 characters', 'a'.repeat(33)],
];
for (const [name, input] of malformed) {
  t(`malformed: ${name}`, () => {
    assert.equal(codeShape(input, 6), { kind: 'malformed' });
  });
}

t('recovery codes: ten base32 characters, one optional hyphen, any case, normalised to lower case', () => {
  assert.equal(codeShape('abcde-fgh23', 6), { kind: 'recovery', code: 'abcdefgh23' });
  assert.equal(codeShape('ABCDEFGH23', 6), { kind: 'recovery', code: 'abcdefgh23' });
  assert.equal(codeShape('abcd-efgh23', 6), { kind: 'malformed' });
  assert.equal(codeShape('abcde--fgh23', 6), { kind: 'malformed' });
  assert.equal(codeShape('abcde-fgh18', 6), { kind: 'malformed' });
});

t.run();
