import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalUsername, checkNewUsername, maxUsernameLength } from '../../core/username.js';

/** docs/security.md §19 and NIST SP 800-63B §5.1.1.2: one spelling per account; control and format characters refused. */
const t = suite('username');

t('NFKC + case fold + trim: variants of one name are one account', () => {
  for (const variant of ['alice', 'Alice', 'ALICE', 'ＡＬＩＣＥ', 'ａｌｉｃｅ', '  alice  ', ' Ａlice']) assert.is(canonicalUsername(variant), 'alice', JSON.stringify(variant));
});

t('NFKC folds compatibility forms', () => {
  assert.is(canonicalUsername('ﬁona'), 'fiona');
  assert.is(canonicalUsername('Ⅸ'), 'ix');
  assert.is(canonicalUsername('e\u0301'), 'é');
});

t('different names stay different', () => {
  assert.is.not(canonicalUsername('alice'), canonicalUsername('alice2'));
  assert.is.not(canonicalUsername('alice'), canonicalUsername('ali ce'));
});

t('checkNewUsername accepts a plain name in canonical form', () => {
  assert.equal(checkNewUsername(' ＡＬＩＣＥ '), { ok: true, username: 'alice' });
});

const refused: readonly (readonly [string, string])[] = [
  ['NUL (Cc)', 'ali\u0000ce'],
  ['BEL (Cc)', 'ali\u0007ce'],
  ['DEL (Cc)', 'alice\u007f'],
  ['CR LF (Cc)', 'alice\r\nadmin'],
  ['C1 control (Cc)', 'ali\u0085ce'],
  ['zero-width space (Cf)', 'ali\u200bce'],
  ['zero-width joiner (Cf)', 'ali\u200dce'],
  ['right-to-left override (Cf)', '\u202eecila'],
  ['byte-order mark (Cf)', '\ufeffalice'],
  ['soft hyphen (Cf)', 'ali\u00adce'],
];
for (const [name, raw] of refused) {
  t(`refused: ${name}`, () => {
    assert.is(checkNewUsername(raw).ok, false);
  });
}

t('refused: empty, or only spaces', () => {
  assert.is(checkNewUsername('').ok, false);
  assert.is(checkNewUsername('   ').ok, false);
});

t('length: the maximum is accepted, one more is refused', () => {
  assert.is(checkNewUsername('a'.repeat(maxUsernameLength)).ok, true);
  assert.is(checkNewUsername('a'.repeat(maxUsernameLength + 1)).ok, false);
});

t.run();
