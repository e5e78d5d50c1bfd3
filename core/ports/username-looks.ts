/**
 * How a username looks, by Unicode's security mechanisms (UTS #39), so that no new account can pass for an existing one
 * in logs and admin output (docs/security.md §36). Logins do not use it: they match the canonical name (core/username.ts).
 */
export interface UsernameLooks {
  /** Equal for names that look alike (UTS #39 skeleton, docs/security.md §36); compared, never shown. */
  skeleton(username: string): string;
  /** Within UTS #39's Highly Restrictive level: one script, or Latin with Han and Hiragana/Katakana, Bopomofo or Hangul. */
  highlyRestrictive(username: string): boolean;
}
