/**
 * Unicode control and format characters (Cc, Cf): invisible in logs and admin screens, and a way to forge log lines
 * (docs/security.md §28). Names refuse them; free text shown later has them replaced.
 */
export const hasInvisibleCharacters = (s: string): boolean => /[\p{Cc}\p{Cf}]/u.test(s);

export const replaceInvisibleCharacters = (s: string, by: string): string => s.replace(/[\p{Cc}\p{Cf}]/gu, by);
