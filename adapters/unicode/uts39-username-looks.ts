import { createRequire } from 'node:module';
import unhomoglyph from 'unhomoglyph';
import type { UsernameLooks } from '../../core/ports/username-looks.js';

interface CodePointSet {
  contains(codePoint: number): boolean;
}

// Unicode's own data, through maintained packages, never a table of ours: confusables.txt (unhomoglyph, the prototype
// of each confusable character) and Script_Extensions (regenerate-unicode-properties, Babel's source for RegExp \p{scx}).
const require = createRequire(import.meta.url);
const scriptNames = (require('regenerate-unicode-properties') as Map<string, readonly string[]>).get('Script_Extensions')!;

let scriptSets: readonly [string, CodePointSet][] | null = null;
const scriptsCache = new Map<number, ReadonlySet<string>>();

/** The Script_Extensions of a code point; empty for one no script claims (unassigned). */
const scriptsOf = (codePoint: number): ReadonlySet<string> => {
  scriptSets ??= scriptNames.map((name) => [name, (require(`regenerate-unicode-properties/Script_Extensions/${name}.js`) as { characters: CodePointSet }).characters]);
  let scripts = scriptsCache.get(codePoint);
  if (scripts === undefined) {
    scripts = new Set(scriptSets.filter(([, set]) => set.contains(codePoint)).map(([name]) => name));
    scriptsCache.set(codePoint, scripts);
  }
  return scripts;
};

/** UTS #39 §5.2: the script sets a Highly Restrictive string may be covered by, besides a single script. */
const coverings: readonly ReadonlySet<string>[] = [new Set(['Latin', 'Han', 'Hiragana', 'Katakana']), new Set(['Latin', 'Han', 'Bopomofo']), new Set(['Latin', 'Han', 'Hangul'])];

const everyScript = (scripts: ReadonlySet<string>): boolean => scripts.size === 1 && (scripts.has('Common') || scripts.has('Inherited'));

/** Letters of these scripts wear diacritics that people read past (Chrome's IDN policy strips them for Latin). */
const diacriticScripts = new Set(['Latin', 'Greek', 'Cyrillic']);

const defaultIgnorable = /\p{Default_Ignorable_Code_Point}/gu;
const nonspacingMark = /\p{Mn}/gu;

/**
 * UTS #39 §4 skeleton: NFD, without default-ignorable code points, each character replaced by its confusables.txt
 * prototype, NFD again. One step further, for names written only in Latin, Greek or Cyrillic letters (and common
 * characters): their nonspacing marks go too, so `alíce` and `ali̇ce` (the fold of `ALİCE`) count as `alice` the way
 * `alıce` and `аlice` already do. Scripts whose marks carry the word (Devanagari vowel signs, Arabic harakat) keep them.
 */
const skeleton = (username: string): string => {
  const prototype = unhomoglyph(username.normalize('NFD').replace(defaultIgnorable, '')).normalize('NFD');
  const letters = [...username.normalize('NFD')].map((c) => scriptsOf(c.codePointAt(0)!)).filter((s) => !everyScript(s));
  const withDiacritics = letters.length > 0 && letters.every((s) => [...s].some((name) => diacriticScripts.has(name)));
  return withDiacritics ? prototype.replace(nonspacingMark, '') : prototype;
};

/**
 * UTS #39 §5.2 Restriction-Level Detection, at Highly Restrictive: the Script_Extensions of the name's characters
 * (Common and Inherited ones count for every script) share a script, or one of `coverings` covers them all.
 */
const highlyRestrictive = (username: string): boolean => {
  const sets = [...username].map((c) => scriptsOf(c.codePointAt(0)!)).filter((s) => !everyScript(s));
  if (sets.some((s) => s.size === 0)) return false;
  if (sets.length === 0) return true;
  const shared = [...sets[0]!].filter((name) => sets.every((s) => s.has(name)));
  if (shared.length > 0) return true;
  return coverings.some((cover) => sets.every((s) => [...s].some((name) => cover.has(name))));
};

export const uts39UsernameLooks: UsernameLooks = { skeleton, highlyRestrictive };
