import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { uts39UsernameLooks as looks } from '../../../adapters/unicode/uts39-username-looks.js';
import { canonicalUsername } from '../../../core/username.js';

const alike = (a: string, b: string) => looks.skeleton(canonicalUsername(a)) === looks.skeleton(canonicalUsername(b));

test('the issue’s look-alikes of alice share its skeleton (Cyrillic а, dotless ı, í, the fold of ALİCE)', () => {
  for (const name of ['аlice', 'alıce', 'alíce', 'ALİCE', 'ALICE', 'alice\u200d']) assert.ok(alike(name, 'alice'), JSON.stringify(name));
  assert.is(canonicalUsername('ALİCE'), 'ali\u0307ce', 'the documented login rule is unchanged: İ folds to i + combining dot');
});

test('confusables.txt prototypes: rn ≅ m, l ≅ 1 ≅ I, whole-script Cyrillic ≅ Latin; distinct names stay distinct', () => {
  assert.ok(alike('rnary', 'mary'));
  assert.ok(alike('user1', 'userl'));
  assert.ok(alike('сое', 'coe'), 'Cyrillic с о е');
  assert.ok(alike('раураl', 'paypal'));
  for (const [a, b] of [['alice', 'alicia'], ['bob', 'rob'], ['jo', 'joe'], ['अमित', 'अमीत'], ['محمد', 'محمود']]) assert.not.ok(alike(a!, b!), `${a} ≇ ${b}`);
});

test('marks are dropped for Latin, Greek and Cyrillic names only: a Devanagari vowel sign or Arabic haraka still tells', () => {
  assert.ok(alike('zoë', 'zoe'));
  assert.ok(alike('ёлка', 'елка'));
  assert.not.ok(alike('किताब', 'कताब'));
  assert.not.ok(alike('مُحمد', 'محمد'));
});

test('Highly Restrictive (UTS #39 §5.2): one script, or Latin + Han + kana / Bopomofo / Hangul; common characters count for every script', () => {
  for (const name of ['alice', 'user-1.x@example.com', '山田たろう', '山田taro', 'タロウ', '김철수', '김철수kim', 'ㄅㄆ漢a', 'ελενη', 'сергей', 'अमित', '12345', '_-.'])
    assert.ok(looks.highlyRestrictive(name), name);
  for (const name of ['аlice', 'pаypal', 'ελενηa', 'сергейα', '山田сергей', 'ㄅ김', 'a\u0378']) assert.not.ok(looks.highlyRestrictive(name), name);
});

test.run();
